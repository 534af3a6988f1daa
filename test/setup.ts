// Loaded by mocha before any spec (.mocharc.json "require"): keep test output to test results.
// Set LOG_LEVEL=debug to see SP Link's logs while debugging a test.
process.env.LOG_LEVEL ??= 'silent';
