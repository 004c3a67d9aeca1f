package dev.jbcc.tools;

/** Linux signal numbers and their names without {@code SIG}, as tools print them. */
public final class Signals {
    // x86, arm and most other Linux architectures share these numbers
    private static final String[] NAMES = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1",
            "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
            "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};

    private Signals() {
    }

    /** {@code 9} → {@code KILL}; a real-time signal as {@code RTMIN+n}; anything else {@code unknown}. */
    public static String name(int signal) {
        if (signal > 0 && signal < NAMES.length) return NAMES[signal];
        if (signal >= 34 && signal <= 64) return signal == 34 ? "RTMIN" : "RTMIN+" + (signal - 34);
        return "unknown";
    }
}
