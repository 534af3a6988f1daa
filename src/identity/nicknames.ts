/**
 * Common English given names and the short forms people go by. Two given names are "known as" each other when
 * one group holds both; a short form may belong to several names (`Bert`: Albert, Herbert, Robert). Kept short on
 * purpose: a pair listed here only earns the points of a nickname, never a link on its own.
 */
const GROUPS: readonly (readonly string[])[] = [
  ['alexander', 'alex', 'alec', 'sandy', 'xander'],
  ['alexandra', 'alex', 'alexa', 'sandra', 'sandy', 'lexi'],
  ['albert', 'al', 'bert', 'bertie'],
  ['alan', 'al'],
  ['andrew', 'andy', 'drew'],
  ['anthony', 'tony', 'ant'],
  ['benjamin', 'ben', 'benny', 'benji'],
  ['catherine', 'katherine', 'kathryn', 'cathy', 'kathy', 'kate', 'katie', 'cath', 'kath', 'kay', 'kitty'],
  ['charles', 'charlie', 'chas', 'chuck'],
  ['charlotte', 'lottie', 'charlie'],
  ['christopher', 'chris', 'kit'],
  ['christine', 'christina', 'chris', 'tina', 'chrissie'],
  ['daniel', 'dan', 'danny'],
  ['david', 'dave', 'davy', 'dai'],
  ['deborah', 'debra', 'debbie', 'deb'],
  ['dorothy', 'dot', 'dottie', 'dolly'],
  ['edward', 'ed', 'eddie', 'ted', 'teddy', 'ned'],
  ['elizabeth', 'liz', 'lizzie', 'beth', 'betty', 'bess', 'eliza', 'libby', 'elsie'],
  ['eleanor', 'ellie', 'nell', 'nora', 'elly'],
  ['frances', 'fran', 'frankie', 'fanny'],
  ['francis', 'frank', 'frankie'],
  ['frederick', 'fred', 'freddie', 'freddy'],
  ['gareth', 'gaz'],
  ['gerald', 'gerry', 'ged'],
  ['gregory', 'greg'],
  ['harold', 'harry', 'hal'],
  ['henry', 'harry', 'hal', 'hank'],
  ['herbert', 'bert', 'herb'],
  ['isabel', 'isabella', 'izzy', 'bella', 'isobel'],
  ['jacqueline', 'jackie', 'jacqui'],
  ['james', 'jim', 'jimmy', 'jamie', 'jem'],
  ['jennifer', 'jen', 'jenny', 'jenni'],
  ['john', 'jack', 'johnny', 'jon'],
  ['jonathan', 'jon', 'jonny', 'nathan'],
  ['joseph', 'joe', 'joey'],
  ['josephine', 'jo', 'josie'],
  ['joanne', 'joanna', 'jo'],
  ['kenneth', 'ken', 'kenny'],
  ['lawrence', 'laurence', 'larry', 'laurie'],
  ['leonard', 'len', 'lenny', 'leo'],
  ['margaret', 'maggie', 'meg', 'peggy', 'madge', 'marge', 'margie', 'greta', 'rita'],
  ['matthew', 'matt', 'matty'],
  ['michael', 'mike', 'mick', 'micky', 'mickey', 'mikey'],
  ['nicholas', 'nick', 'nicky', 'nico'],
  ['patricia', 'pat', 'patty', 'trish', 'tricia'],
  ['patrick', 'pat', 'paddy'],
  ['peter', 'pete'],
  ['philip', 'phillip', 'phil', 'pip'],
  ['rebecca', 'becky', 'becca', 'bex'],
  ['richard', 'rich', 'rick', 'ricky', 'dick', 'richie'],
  ['robert', 'rob', 'robbie', 'bob', 'bobby', 'bert', 'robin'],
  ['ronald', 'ron', 'ronnie'],
  ['samuel', 'sam', 'sammy'],
  ['samantha', 'sam', 'sammy'],
  ['sarah', 'sara', 'sally'],
  ['stanley', 'stan'],
  ['stephen', 'steven', 'steve', 'stevie'],
  ['susan', 'sue', 'susie', 'suzy'],
  ['terence', 'terry', 'tel'],
  ['theresa', 'teresa', 'tess', 'tessa', 'terri'],
  ['thomas', 'tom', 'tommy'],
  ['timothy', 'tim', 'timmy'],
  ['victoria', 'vicky', 'vickie', 'tori'],
  ['william', 'will', 'bill', 'billy', 'willie', 'liam'],
];

const GROUPS_OF = new Map<string, Set<number>>();
GROUPS.forEach((group, i) => {
  for (const name of group) {
    const set = GROUPS_OF.get(name) ?? new Set<number>();
    set.add(i);
    GROUPS_OF.set(name, set);
  }
});

/** True when two different folded given names are forms of one name (`bob` / `robert`, `peggy` / `margaret`). */
export function knownAs(a: string, b: string): boolean {
  if (a === b) return false;
  const ga = GROUPS_OF.get(a);
  const gb = GROUPS_OF.get(b);
  if (!ga || !gb) return false;
  for (const g of ga) if (gb.has(g)) return true;
  return false;
}
