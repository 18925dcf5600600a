/** Why a lab operation failed; tests branch on the code, never on the message. */
export type LabErrorCode =
  | 'BINARY_MISSING'
  | 'TEMPLATE_FAILED'
  | 'SERVER_START_FAILED'
  | 'NO_FREE_SLOT'
  | 'REPLICATION_TIMEOUT'
  | 'BAD_STATE'
  | 'BAD_OPTION'
  | 'UNKNOWN_CLIENT'

/**
 * The one error type the lab throws.
 *
 * @example
 * if (err instanceof LabError && err.code === 'NO_FREE_SLOT') skip()
 */
export class LabError extends Error {
  readonly code: LabErrorCode

  constructor(code: LabErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'LabError'
    this.code = code
  }
}
