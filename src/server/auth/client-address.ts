/**
 * The header that carries the connecting address into Next.js. main.ts sets it from the socket
 * (overwriting whatever a client sent), since route handlers cannot see the socket.
 */
export const CLIENT_ADDRESS_HEADER = "x-sluice-client-address";
/** The path and query the browser asked for, for layouts (which cannot see the URL) to send people back there after sign-in. */
export const REQUEST_PATH_HEADER = "x-sluice-request-path";
