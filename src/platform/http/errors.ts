/** Errors a service throws; the error handler turns each into the right page or JSON response. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'Page not found') {
    super(404, message)
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'You do not have permission to do this') {
    super(403, message)
  }
}

export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, message)
  }
}

/** A business rule broken by the input: shown against a form field, or as a 400 on the API. */
export class RuleError extends HttpError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(400, message)
  }
}
