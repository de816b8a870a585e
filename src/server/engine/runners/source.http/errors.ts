/**
 * Why an HTTP source stopped, in a sentence a person can act on: the request (method and URL,
 * secrets masked), what the server or the network did, and what to change. The engine fails
 * the node with this message.
 */
export class HttpSourceError extends Error {}
