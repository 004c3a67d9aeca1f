package dev.jbcc.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** A user name or number, as bcc's {@code -u USER} options take it. */
public final class Users {
    private Users() {
    }

    /** The UID of {@code user}: a number as it is, a name from /etc/passwd. */
    public static OptionalLong uid(String user) {
        if (user.matches("[0-9]{1,10}")) return OptionalLong.of(Long.parseLong(user));
        try (var lines = Files.lines(Path.of("/etc/passwd"))) {
            return lines.map(l -> l.split(":")).filter(f -> f.length > 2 && f[0].equals(user))
                    .mapToLong(f -> Long.parseLong(f[2])).findFirst();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
