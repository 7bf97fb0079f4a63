/** One entry of the error catalogue. */
export interface ErrorDef {
  /** What went wrong, with `{placeholders}` filled from the error's params. */
  readonly message: string;
  /** How to solve it: shown under the message in the CLI and returned by the API. */
  readonly fix: string;
  /** CLI exit code: 1 failure, 2 usage / bad input, 3 unavailable dependency. */
  readonly exit: 1 | 2 | 3;
  /** HTTP status for the API. */
  readonly http: number;
}
