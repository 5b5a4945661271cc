/**
 * An address that refuses connections. Port 2 is below the range the OS hands out for port 0,
 * so, unlike a port freed a moment ago, no test server started in parallel can take it (and,
 * unlike port 1, fetch does not refuse it as a "bad port" before trying).
 */
export const REFUSED_PORT = 2;
export const REFUSED_URL = `http://127.0.0.1:${REFUSED_PORT}`;
