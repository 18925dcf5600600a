#!/usr/bin/env node
// The package's `bin` (npx rds-bluegreen check|watch ...). See cli/main.ts and README, "Before you switch over".
import { main } from './main.js'

// The library's sockets and timers never keep a process alive; the CLI must live until main() is done.
const keepAlive = setInterval(() => undefined, 1 << 30)
void main(process.argv.slice(2), process.env, process).then((code) => {
  clearInterval(keepAlive)
  process.exitCode = code
  // Never hang: anything still pending two seconds after the end must not hold the exit (unref'd).
  setTimeout(() => process.exit(code), 2_000).unref()
})
