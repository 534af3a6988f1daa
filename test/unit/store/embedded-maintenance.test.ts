import { expect } from 'chai';
import { tablesDue } from '../../../src/store/embedded-maintenance.js';

describe('store/embedded-maintenance: autovacuum\'s rules for the embedded database', () => {
  const t = (table: string, liveRows: number, modifiedSinceAnalyze: number, deadRows = 0) => ({ table, liveRows, deadRows, modifiedSinceAnalyze });

  it('analyzes a table once its changes pass 50 + 10 % of its rows, and not before', () => {
    expect(tablesDue([t('small', 0, 50), t('small-due', 0, 51), t('big', 10_000, 1050), t('big-due', 10_000, 1051)]).analyze).to.deep.equal(['small-due', 'big-due']);
  });

  it('vacuums a table once its dead rows pass 50 + 20 % of its rows', () => {
    expect(tablesDue([t('sessions', 100, 0, 70), t('sessions-due', 100, 0, 71), t('clean', 100, 0, 0)]).vacuum).to.deep.equal(['sessions-due']);
  });

  it('leaves a quiet store alone', () => {
    expect(tablesDue([t('a', 5_000, 10, 3), t('b', 0, 0)])).to.deep.equal({ analyze: [], vacuum: [] });
  });
});
