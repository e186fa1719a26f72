// Preloaded into the app the browser tests start. Its stdin is a pipe from the Playwright worker;
// when that worker dies without stopping the app (killed after a timeout, a crash), the pipe
// closes and the app shuts down as on SIGTERM instead of living on with its ports and database.
process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.resume();
