/**
 * What is held, for the hold's messages and events: a new connection or a pool checkout (`'connect'`), or a
 * statement on an existing connection (`'query'`). Typed so that a message cannot carry a driver's class name.
 * Core's `ExecuteKind` (core/routing) is meant to replace this union; the values are the same.
 *
 * @example
 * ```ts
 * handle.beforeExecute(target, 'query' satisfies ExecuteKind)
 * ```
 */
export type ExecuteKind = 'connect' | 'query'
