import { TributaryError } from '../../core/errors';

/** Another live `tributary start` holds this state directory's lock. */
export class PipelineAlreadyRunningError extends TributaryError {
  public constructor(
    public readonly pid: number,
    public readonly apiUrl: string | undefined,
  ) {
    super(
      `a pipeline is already running from this folder (pid ${pid}${apiUrl ? `, API ${apiUrl}` : ''}); stop it first (Ctrl-C in its terminal or kill ${pid})`,
    );
    this.name = 'PipelineAlreadyRunningError';
  }
}
