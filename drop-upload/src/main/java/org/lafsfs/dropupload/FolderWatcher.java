package org.lafsfs.dropupload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change notifications for a folder and every folder below it, as relative
 * paths. Java's WatchService watches one directory at a time, so each new
 * subdirectory is registered as it appears (and reported whole, since files
 * may have been made in it before it was registered). A lost event
 * (OVERFLOW) or a folder that cannot be watched asks for a full rescan.
 */
final class FolderWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FolderWatcher.class);

    private final Path root;
    private final WatchService service;
    private final Map<WatchKey, Path> watched = new ConcurrentHashMap<>();
    private final Consumer<String> changed;
    private final Runnable rescan;
    private final Thread thread;

    /**
     * @param changed called with the relative path of anything created, changed or deleted
     * @param rescan called when notifications were lost
     */
    FolderWatcher(Path root, Consumer<String> changed, Runnable rescan) throws IOException {
        this.root = root;
        this.changed = changed;
        this.rescan = rescan;
        this.service = FileSystems.getDefault().newWatchService();
        registerTree(root);
        this.thread = new Thread(this::run, "lafsfs-drop-upload-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void registerTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                watched.put(d.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY), d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // gone already, or unreadable: the rescan reports it
            }
        });
    }

    private void run() {
        while (true) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Path dir = watched.get(key);
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW || dir == null) {
                    log.info("change notifications were lost; rescanning {}", root);
                    rescan.run();
                    continue;
                }
                Path child = dir.resolve((Path) event.context());
                changed.accept(relative(child));
                if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE
                        && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        registerTree(child);
                        try (var inside = Files.walk(child)) {
                            inside.forEach(p -> changed.accept(relative(p)));
                        }
                    } catch (IOException | java.io.UncheckedIOException e) {
                        log.info("cannot watch {} ({}); rescanning", child, e.toString());
                        rescan.run();
                    }
                }
            }
            if (!key.reset()) {
                watched.remove(key); // the directory is gone; its deletion was reported above
            }
        }
    }

    private String relative(Path p) {
        return root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
    }

    @Override
    public void close() throws IOException {
        service.close();
        thread.interrupt();
    }
}
