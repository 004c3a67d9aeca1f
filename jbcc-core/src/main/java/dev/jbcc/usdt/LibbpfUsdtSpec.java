package dev.jbcc.usdt;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Encodes a site's arguments as libbpf's {@code <bpf/usdt.bpf.h>} reads them: a
 * {@code struct __bpf_usdt_spec} value in the {@code __bpf_usdt_specs} array map, selected by the
 * attach cookie. This is what makes {@code bpf_usdt_arg()} and {@code BPF_USDT(...)} work on
 * programs jbcc attaches.
 *
 * <pre>
 * struct __bpf_usdt_arg_spec { __u64 val_off; enum __bpf_usdt_arg_type arg_type; short reg_off;
 *                              bool arg_signed; char arg_bitshift; };          // 16 bytes
 * struct __bpf_usdt_spec { struct __bpf_usdt_arg_spec args[12]; __u64 usdt_cookie; short arg_cnt; }; // 208 bytes
 * </pre>
 *
 * Layout as in libbpf 1.1; later versions keep the size and the meaning of these fields for the
 * argument kinds encoded here. Indexed addressing ({@code disp(%base,%index,scale)}) has no
 * encoding in this layout: use {@link UsdtCodegen} for such probes.
 */
public final class LibbpfUsdtSpec {
    private LibbpfUsdtSpec() {}

    /** Map names the header declares. */
    public static final String SPECS_MAP = "__bpf_usdt_specs", IP_TO_SPEC_ID_MAP = "__bpf_usdt_ip_to_spec_id";
    public static final int MAX_ARGS = 12, ARG_SPEC_SIZE = 16, SPEC_SIZE = 208;
    static final int ARG_CONST = 0, ARG_REG = 1, ARG_REG_DEREF = 2;
    private static final long COOKIE_OFFSET = (long) MAX_ARGS * ARG_SPEC_SIZE, ARG_CNT_OFFSET = COOKIE_OFFSET + 8;

    // BPF programs read the map with the host's byte order.
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /**
     * The {@code struct __bpf_usdt_spec} bytes for one site.
     *
     * @param usdtCookie what {@code bpf_usdt_cookie()} returns
     * @throws IllegalArgumentException if the site has more than 12 arguments or an argument the
     *                                  layout cannot express, naming it
     */
    public static byte[] encode(UsdtSite site, long usdtCookie) {
        if (site.arguments().size() > MAX_ARGS) {
            throw new IllegalArgumentException(site.provider() + ":" + site.name() + " has " + site.arguments().size()
                    + " arguments; <bpf/usdt.bpf.h> reads at most " + MAX_ARGS);
        }
        byte[] bytes = new byte[SPEC_SIZE];
        MemorySegment spec = MemorySegment.ofArray(bytes);
        for (int i = 0; i < site.arguments().size(); i++) {
            UsdtArgument arg = site.arguments().get(i);
            long at = (long) i * ARG_SPEC_SIZE;
            long valOff;
            int type, regOff;
            int bits;
            switch (arg.location()) {
                case UsdtArgument.Constant c -> {
                    type = ARG_CONST;
                    valOff = c.value();
                    regOff = 0;
                    bits = arg.size() * 8;
                }
                case UsdtArgument.Register r -> {
                    type = ARG_REG;
                    valOff = 0;
                    // The high-byte registers (ah..dh) are read one byte further into the saved register.
                    regOff = r.register().ptRegsOffset() + r.register().byteOffset();
                    bits = arg.effectiveRegisterSize() * 8;
                }
                case UsdtArgument.Memory m -> {
                    if (m.index() != null || m.base() == null) {
                        throw new IllegalArgumentException("argument " + i + " of " + site.provider() + ":" + site.name()
                                + " ('" + arg.spec() + "') uses indexed addressing, which <bpf/usdt.bpf.h> from libbpf 1.1"
                                + " cannot read; read it with code from UsdtCodegen instead");
                    }
                    type = ARG_REG_DEREF;
                    valOff = m.displacement();
                    regOff = m.base().ptRegsOffset();
                    bits = arg.size() * 8;
                }
            }
            spec.set(U64, at, valOff);
            spec.set(U32, at + 8, type);
            spec.set(U16, at + 12, (short) regOff);
            spec.set(ValueLayout.JAVA_BYTE, at + 14, (byte) (arg.signed() ? 1 : 0));
            spec.set(ValueLayout.JAVA_BYTE, at + 15, (byte) (64 - bits));
        }
        spec.set(U64, COOKIE_OFFSET, usdtCookie);
        spec.set(U16, ARG_CNT_OFFSET, (short) site.arguments().size());
        return bytes;
    }
}
