import { TributaryError } from '../../core/errors';

/** A table kept in the offline data directory no longer matches the template (its keys or stream changed). */
export class TableMismatchError extends TributaryError {
  public constructor(
    public readonly tableName: string,
    public readonly problems: readonly string[],
  ) {
    super(
      `Table ${tableName}, kept from an earlier run, does not match the template: ${problems.join('; ')}. ` +
        'Start with empty offline data to recreate it: npm start -- --fresh (this deletes the kept streams and tables).',
    );
    this.name = 'TableMismatchError';
  }
}
