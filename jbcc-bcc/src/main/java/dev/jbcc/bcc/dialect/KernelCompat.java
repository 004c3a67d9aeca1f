package dev.jbcc.bcc.dialect;

import dev.jbcc.KernelConfig;
import dev.jbcc.features.KernelVersion;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;

import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of jbcc's kernel compatibility header that differs between kernels (the fixed part is
 * the resource {@code kernel_compat.h}): sizes kernel headers give as #defines, taken from the
 * running kernel's BTF, and the {@code CONFIG_*} options a program tests in its preprocessor
 * lines, defined as the kernel's autoconf.h would from its kconfig.
 */
final class KernelCompat {
    private static final System.Logger LOG = System.getLogger(KernelCompat.class.getName());
    private static final Pattern DIRECTIVE = Pattern.compile("^[ \\t]*#[ \\t]*(?:if|ifdef|ifndef|elif|elifdef|elifndef)\\b(.*)$",
            Pattern.MULTILINE);
    private static final Pattern CONFIG = Pattern.compile("\\bCONFIG_[A-Za-z0-9_]+");

    /**
     * The kernel's member aliases (include/net/sock.h, include/net/inet_sock.h): struct sock's and
     * struct inet_sock's names for struct sock_common's fields. The pre-pass spells them out after
     * {@code ->} and {@code .} in the program; the header defines them for the program's own headers.
     */
    static final Map<String, String> MEMBER_ALIASES = aliases();

    private static Map<String, String> aliases() {
        var m = new LinkedHashMap<String, String>();
        for (String f : List.of("node", "nulls_node", "refcnt", "tx_queue_mapping", "dontcopy_begin", "dontcopy_end", "hash",
                "portpair", "num", "dport", "addrpair", "daddr", "rcv_saddr", "family", "state", "reuse", "reuseport",
                "ipv6only", "net_refcnt", "bound_dev_if", "bind_node", "prot", "net", "v6_daddr", "v6_rcv_saddr", "cookie",
                "incoming_cpu", "flags", "rxhash")) {
            m.put("sk_" + f, "__sk_common.skc_" + f);
        }
        for (String f : List.of("daddr", "rcv_saddr", "dport", "num")) m.put("inet_" + f, "sk.__sk_common.skc_" + f);
        return Collections.unmodifiableMap(m);
    }

    private KernelCompat() {}

    /** The header for a program: the kernel's sizes and the CONFIG_ options its conditionals name. */
    static String header(String programText) {
        var sb = new StringBuilder("/* jbcc: kernel-specific compatibility definitions (from BTF and kconfig). */\n");
        sb.append(Sizes.TEXT);
        sb.append("#ifndef LINUX_VERSION_CODE\n#define LINUX_VERSION_CODE ").append(KernelVersion.current().code()).append("\n#endif\n");
        sb.append("#ifndef KERNEL_VERSION\n#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))\n#endif\n");
        MEMBER_ALIASES.forEach((alias, path) -> sb.append("#define ").append(alias).append(' ').append(path).append('\n'));
        KernelConfig config = KernelConfig.current();
        for (String option : configOptions(programText)) {
            String base = option.endsWith("_MODULE") ? option.substring(0, option.length() - "_MODULE".length()) : null;
            Optional<String> value = config.value(option);
            if (value.isPresent() && !value.get().equals("n")) {
                String v = value.get();
                if (v.equals("y")) sb.append("#define ").append(option).append(" 1\n");
                else if (!v.equals("m")) sb.append("#define ").append(option).append(' ').append(v).append('\n');
            } else if (base != null && config.value(base).filter("m"::equals).isPresent()) {
                sb.append("#define ").append(option).append(" 1\n");
            }
        }
        return sb.toString();
    }

    /** The CONFIG_ names in the program's #if/#ifdef/#elif lines. */
    static TreeSet<String> configOptions(String programText) {
        var names = new TreeSet<String>();
        Matcher d = DIRECTIVE.matcher(programText);
        while (d.find()) {
            Matcher c = CONFIG.matcher(d.group(1));
            while (c.find()) names.add(c.group());
        }
        return names;
    }

    /**
     * The member names of the kernel's struct {@code name} (members of its anonymous structs and
     * unions included), or null if the kernel's BTF has no such struct.
     */
    static Set<String> kernelStructMembers(String name) {
        try {
            Btf btf = Btf.kernel();
            Optional<BtfType.Struct> s = btf.find(name, BtfType.Struct.class);
            if (s.isEmpty()) return null;
            var names = new HashSet<String>();
            addMembers(btf, s.get().members(), names);
            return names;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "no kernel BTF to compare struct " + name + " with", e);
            return null;
        }
    }

    private static void addMembers(Btf btf, List<BtfType.Member> members, Set<String> names) {
        for (BtfType.Member m : members) {
            if (!m.name().isEmpty()) names.add(m.name());
            else if (btf.type(btf.resolve(m.type())) instanceof BtfType.Composite c) addMembers(btf, c.members(), names);
        }
    }

    /** The running kernel's sizes, read from its BTF once. */
    private static final class Sizes {
        static final String TEXT = compute();

        private static String compute() {
            var sb = new StringBuilder();
            try {
                Btf btf = Btf.kernel();
                // DNAME_INLINE_LEN: union shortname_store (6.14+) or struct dentry's d_iname[].
                OptionalLong dname = btf.find("shortname_store", BtfType.Union.class).map(u -> (long) u.size())
                        .map(OptionalLong::of).orElseGet(() -> arrayLength(btf, "dentry", "d_iname"));
                dname.ifPresent(n -> sb.append("#define DNAME_INLINE_LEN ").append(n).append('\n'));
                arrayLength(btf, "gendisk", "disk_name").ifPresent(n -> sb.append("#define DISK_NAME_LEN ").append(n).append('\n'));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "no kernel BTF for DNAME_INLINE_LEN and DISK_NAME_LEN", e);
            }
            return sb.toString();
        }

        private static OptionalLong arrayLength(Btf btf, String struct, String member) {
            Optional<BtfType.Struct> s = btf.find(struct, BtfType.Struct.class);
            if (s.isEmpty()) return OptionalLong.empty();
            for (BtfType.Member m : s.get().members()) {
                if (m.name().equals(member) && btf.type(btf.resolve(m.type())) instanceof BtfType.Array a) {
                    return OptionalLong.of(a.length());
                }
            }
            return OptionalLong.empty();
        }
    }
}
