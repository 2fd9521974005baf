package org.lafsfs.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@code lafsfs status} asks a running {@code lafsfs up}: a Unix socket
 * in the node directory's private/ (so only its owner can connect, and no
 * port is taken). Whoever connects is sent the status as one JSON document,
 * and the connection closes.
 */
final class ControlSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlSocket.class);

    private final Path path;
    private final ServerSocketChannel server;
    private final Thread acceptor;

    private ControlSocket(Path path, ServerSocketChannel server, Supplier<String> status) {
        this.path = path;
        this.server = server;
        this.acceptor = new Thread(() -> acceptLoop(status), "lafsfs-control");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static Path path(Path nodeDir) {
        return nodeDir.resolve("private").resolve("lafsfs.sock");
    }

    /** Answers on the node directory's socket; a socket file left by a killed run is replaced. */
    static ControlSocket serve(Path nodeDir, Supplier<String> status) throws IOException {
        Path path = path(nodeDir);
        Files.deleteIfExists(path); // the caller holds the node directory's lock: nobody else serves here
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        return new ControlSocket(path, server, status);
    }

    private void acceptLoop(Supplier<String> status) {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                ByteBuffer answer = ByteBuffer.wrap((status.get() + "\n").getBytes(StandardCharsets.UTF_8));
                while (answer.hasRemaining()) {
                    client.write(answer);
                }
            } catch (IOException | RuntimeException e) {
                if (server.isOpen()) {
                    log.warn("answering a status request: {}", e.toString());
                }
            }
        }
    }

    /** The status of the lafsfs up running on this node directory, or empty if none is. */
    static Optional<String> ask(Path nodeDir) throws IOException {
        Path path = path(nodeDir);
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(path));
        } catch (java.net.SocketException gone) {
            return Optional.empty(); // a socket file without a listener: a run that was killed
        }
        // A Unix socket channel has no read timeout: a wedged lafsfs up is given 15 s, then the channel closes.
        java.util.concurrent.CompletableFuture<byte[]> answer = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return readAll(channel);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        try {
            return Optional.of(new String(answer.get(15, java.util.concurrent.TimeUnit.SECONDS),
                    StandardCharsets.UTF_8));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("lafsfs up runs for " + nodeDir + " but did not answer within 15 s (see "
                    + nodeDir.resolve("logs/lafsfs.log") + ")");
        } catch (java.util.concurrent.ExecutionException e) {
            return Optional.empty(); // it went away while answering
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking lafsfs up", e);
        } finally {
            channel.close();
        }
    }

    private static byte[] readAll(SocketChannel channel) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (channel.read(buffer) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.debug("closing the control socket: {}", e.toString());
        }
    }
}
