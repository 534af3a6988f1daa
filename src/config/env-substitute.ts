/**
 * `${NAME}` and `${NAME:-default}` substitution in YAML scalar values. Secrets stay out of files;
 * a missing variable without a default is an error naming the variable and where it is used.
 */
const PATTERN = /\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g;

export interface MissingVariable {
  name: string;
  path: (string | number)[];
}

export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[] = [],
  missing: MissingVariable[] = [],
): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}$/.exec(value);
    const replaced = value.replace(PATTERN, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      missing.push({ name, path });
      return '';
    });
    // A value that is exactly one variable keeps YAML-ish typing for numbers/booleans (e.g. port: ${PORT:-3000}).
    if (whole) {
      if (/^-?\d+$/.test(replaced)) return Number(replaced);
      if (replaced === 'true' || replaced === 'false') return replaced === 'true';
    }
    return replaced;
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, [...path, i], missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, [...path, k], missing)]));
  }
  return value;
}
