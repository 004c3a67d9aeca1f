package dev.jbcc.errors;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * jbcc could not read, write or run a file it needs: a C source, a BTF file, the compile cache,
 * clang itself. Not a fault of the program being compiled or loaded: the message names the file,
 * what failed and, where there is one, the fix; {@link #getCause()} is the I/O error. What the
 * compiler says about a program is a {@link CompileException}.
 */
public final class FileAccessException extends BpfException {
    private final Path file;

    public FileAccessException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    public FileAccessException(Path file, String message) {
        this(file, message, null);
    }

    /** "cannot {@code action} {@code file}: the reason", the reason said plainly. */
    public static FileAccessException of(String action, Path file, IOException cause) {
        return new FileAccessException(file, "cannot " + action + " " + file + ": " + reason(cause), cause);
    }

    /** {@link #of(String, Path, IOException)} followed by "; {@code fix}". */
    public static FileAccessException of(String action, Path file, IOException cause, String fix) {
        return new FileAccessException(file, "cannot " + action + " " + file + ": " + reason(cause) + "; " + fix, cause);
    }

    /** The file (or directory, or program) that could not be used. */
    public Path file() {
        return file;
    }

    private static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException _ -> "no such file";
            case AccessDeniedException _ -> "permission denied";
            case FileAlreadyExistsException f -> f.getFile() + " exists and is not a directory";
            case FileSystemException f when f.getReason() != null -> f.getReason();
            case CharacterCodingException _ -> "not UTF-8 text";
            default -> e.getMessage() != null ? e.getMessage() : e.toString();
        };
    }
}
