package org.lafsfs.core.storage;

/**
 * A storage operation failed. The subclasses are the failures callers act on
 * differently; the message always names the server.
 */
public class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The server could not be reached, dropped the connection, or did not answer in time. */
    public static class ServerUnreachable extends StorageException {
        private static final long serialVersionUID = 1L;

        public ServerUnreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The server refused our credentials: a wrong swissnum, write enabler or upload secret. */
    public static class Unauthorized extends StorageException {
        private static final long serialVersionUID = 1L;

        public Unauthorized(String message) {
            super(message);
        }
    }

    /** No such share (or no such upload in progress). */
    public static class NotFound extends StorageException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message) {
            super(message);
        }
    }

    /** The write contradicts data already written; the upload must be restarted. */
    public static class Conflict extends StorageException {
        private static final long serialVersionUID = 1L;

        public Conflict(String message) {
            super(message);
        }
    }

    /** The server has no room for what was asked. */
    public static class ServerFull extends StorageException {
        private static final long serialVersionUID = 1L;

        public ServerFull(String message) {
            super(message);
        }
    }

    /** The request was malformed or out of range: a bug on one side or the other. */
    public static class BadRequest extends StorageException {
        private static final long serialVersionUID = 1L;

        public BadRequest(String message) {
            super(message);
        }
    }

    /** The request was larger than the server accepts in one piece (HTTP 413). */
    public static class TooLarge extends BadRequest {
        private static final long serialVersionUID = 1L;

        public TooLarge(String message) {
            super(message);
        }
    }

    /** The server's identity was not the one expected (TLS SPKI hash mismatch). */
    public static class WrongServer extends StorageException {
        private static final long serialVersionUID = 1L;

        public WrongServer(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
