package dev.jbcc;

/** Object names as the kernel takes them for maps and programs. */
final class KernelNames {
    private KernelNames() {}

    /**
     * The kernel accepts only [A-Za-z0-9_.] and 15 bytes; other characters become '_' and the
     * rest is cut, rather than failing a whole load over a name.
     */
    static String of(String name) {
        var sb = new StringBuilder(Math.min(name.length(), 15));
        for (int i = 0; i < name.length() && sb.length() < 15; i++) {
            char c = name.charAt(i);
            sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
        }
        return sb.toString();
    }
}
