package dev.jbcc.tools.files;

import dev.jbcc.bcc.Value;

/** File names as the file tools' C records them: the first bytes (fd_file.h's FILE_NAME_LEN) and the whole length. */
final class FileNames {
    private FileNames() {
    }

    /** The event's {@code name}, its last three characters replaced by "..." where it was cut short. */
    static String shown(Value e) {
        String name = e.getString("name");
        return e.getLong("name_len") > name.length() && name.length() > 3 ? name.substring(0, name.length() - 3) + "..." : name;
    }
}
