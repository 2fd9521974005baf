package org.lafsfs.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's side of mounting: which FUSE mounts exist (/proc/self/mountinfo),
 * whether one was left behind by a process that died (its mount point answers
 * ENOTCONN, "Transport endpoint is not connected"), and unmounting with the
 * tools a Linux machine has (fusermount from the fuse/fuse3 packages, or
 * umount(8) as root).
 */
final class MountTable {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountTable() {
    }

    /** One line of /proc/self/mountinfo that matters here. */
    record Mount(Path mountPoint, String fsType, String source) {
        boolean isFuse() {
            return fsType.equals("fuse") || fsType.startsWith("fuse.") || fsType.equals("fuseblk");
        }
    }

    /** The mount whose mount point is {@code mountPoint} (the last one, if several are stacked). */
    static Optional<Mount> at(Path mountPoint) {
        Path wanted = mountPoint.toAbsolutePath().normalize();
        Mount found = null;
        for (Mount m : mounts()) {
            if (m.mountPoint().equals(wanted)) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    static List<Mount> mounts() {
        List<Mount> mounts = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return mounts;
        }
        // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
        for (String line : lines) {
            String[] fields = line.split(" ");
            int dash = -1;
            for (int i = 6; i < fields.length; i++) {
                if (fields[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (fields.length < 5 || dash < 0 || dash + 2 >= fields.length) {
                continue;
            }
            mounts.add(new Mount(Path.of(unescape(fields[4])), fields[dash + 1], unescape(fields[dash + 2])));
        }
        return mounts;
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes (\040). */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\\' && isOctal(bytes, i + 1)) {
                raw.write(Integer.parseInt(new String(bytes, i + 1, 3, StandardCharsets.US_ASCII), 8));
                i += 3;
            } else {
                raw.write(bytes[i]);
            }
        }
        return raw.toString(StandardCharsets.UTF_8);
    }

    private static boolean isOctal(byte[] b, int at) {
        if (at + 3 > b.length) {
            return false;
        }
        for (int i = at; i < at + 3; i++) {
            if (b[i] < '0' || b[i] > '7') {
                return false;
            }
        }
        return true;
    }

    /**
     * True when {@code mountPoint} is a FUSE mount whose server is gone: the kernel
     * answers every access with ENOTCONN until it is unmounted.
     */
    static boolean isStale(Path mountPoint) {
        Optional<Mount> m = at(mountPoint);
        if (m.isEmpty() || !m.get().isFuse()) {
            return false;
        }
        try {
            Files.readAttributes(mountPoint, java.nio.file.attribute.BasicFileAttributes.class);
            return false;
        } catch (FileSystemException e) {
            String reason = String.valueOf(e.getReason()) + " " + e.getMessage();
            return reason.contains("Transport endpoint is not connected");
        } catch (IOException e) {
            return false;
        }
    }

    /** What an unmount attempt said. */
    record Outcome(boolean unmounted, boolean busy, String message) {
    }

    /**
     * Unmounts {@code mountPoint}: at once, or with {@code lazy} detached now and
     * finished by the kernel when the last file open in it is closed.
     */
    static Outcome unmount(Path mountPoint, boolean lazy) {
        String mp = mountPoint.toAbsolutePath().toString();
        List<List<String>> commands = new ArrayList<>();
        for (String tool : new String[] {"fusermount", "fusermount3"}) {
            if (onPath(tool)) {
                commands.add(lazy ? List.of(tool, "-u", "-z", "--", mp) : List.of(tool, "-u", "--", mp));
                break;
            }
        }
        if (onPath("umount")) {
            commands.add(lazy ? List.of("umount", "-l", mp) : List.of("umount", mp));
        }
        if (commands.isEmpty()) {
            return new Outcome(false, false, "neither fusermount nor umount is installed (apt-get install fuse3)");
        }
        StringBuilder said = new StringBuilder();
        boolean busy = false;
        for (List<String> command : commands) {
            String output;
            int code;
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                p.getOutputStream().close();
                output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    said.append(said.length() == 0 ? "" : "; ").append(command.get(0)).append(": did not finish");
                    continue;
                }
                code = p.exitValue();
            } catch (IOException e) {
                said.append(said.length() == 0 ? "" : "; ").append(command.get(0)).append(": ").append(e.getMessage());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(false, busy, "interrupted while unmounting " + mp);
            }
            if (code == 0 || at(mountPoint).isEmpty()) {
                return new Outcome(true, false, output);
            }
            busy |= output.contains("busy");
            said.append(said.length() == 0 ? "" : "; ").append(command.get(0)).append(": ").append(output);
        }
        return new Outcome(at(mountPoint).isEmpty(), busy, said.toString());
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null || path.isEmpty()) {
            path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
