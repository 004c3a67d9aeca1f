package dev.jbcc.link;

import dev.jbcc.BpfMap;
import dev.jbcc.Collection;
import dev.jbcc.Program;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.MapType;
import dev.jbcc.usdt.LibbpfUsdtSpec;
import dev.jbcc.usdt.Usdt;
import dev.jbcc.usdt.UsdtCodegen;
import dev.jbcc.usdt.UsdtProbe;
import dev.jbcc.usdt.UsdtSite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A program attached to every site of a USDT probe. Semaphores are left to the kernel (each
 * site's uprobe carries the semaphore's {@code ref_ctr_offset}, 4.20+), so a guarded probe is
 * live exactly while the link is.
 *
 * <p>Two ways to read arguments:
 * <ul>
 *   <li>libbpf's {@code <bpf/usdt.bpf.h>} ({@code bpf_usdt_arg()}, {@code BPF_USDT(...)}):
 *       {@link #attach(Collection, String, UsdtOptions)} fills the object's
 *       {@code __bpf_usdt_specs} map with each site's argument specs and sets the attach cookie
 *       to the spec's id;</li>
 *   <li>C from {@link UsdtCodegen}: {@link #attach(Program, UsdtOptions)} sets the cookie of
 *       site {@code k} to {@code k}, which the generated readers switch on.</li>
 * </ul>
 */
public final class UsdtLink implements Link {
    /** Spec ids in use per {@code __bpf_usdt_specs} map (by kernel map id), shared by all links. */
    private static final Map<Integer, BitSet> SPEC_IDS = new HashMap<>();

    private final UsdtProbe probe;
    private final List<UprobeLink> links;
    private final BpfMap specs;
    private final int[] specIds;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Path pinnedAt;

    private UsdtLink(UsdtProbe probe, List<UprobeLink> links, BpfMap specs, int[] specIds) {
        this.probe = probe;
        this.links = List.copyOf(links);
        this.specs = specs;
        this.specIds = specIds;
    }

    /**
     * Attaches {@code programName} of a loaded object that includes {@code <bpf/usdt.bpf.h>}: its
     * {@code __bpf_usdt_specs} map receives the probe's argument specs.
     */
    public static UsdtLink attach(Collection collection, String programName, UsdtOptions options) {
        Program program = collection.program(programName);
        BpfMap specs = collection.maps().get(LibbpfUsdtSpec.SPECS_MAP);
        if (specs == null) {
            throw new NotFoundException("the object has no map " + LibbpfUsdtSpec.SPECS_MAP
                    + ": include <bpf/usdt.bpf.h> and read arguments with bpf_usdt_arg() or BPF_USDT(),"
                    + " or attach with UsdtLink.attach(program, options) and UsdtCodegen readers");
        }
        return attach(program, specs, options);
    }

    /**
     * Attaches a program that reads arguments through libbpf's {@code <bpf/usdt.bpf.h>}, with
     * that object's {@code __bpf_usdt_specs} map.
     */
    public static UsdtLink attach(Program program, BpfMap specs, UsdtOptions options) {
        if (specs.type() != MapType.ARRAY || specs.keySize() != 4 || specs.valueSize() != LibbpfUsdtSpec.SPEC_SIZE) {
            throw new IllegalArgumentException(specs.name() + " is not a __bpf_usdt_specs map (ARRAY, 4-byte key, "
                    + LibbpfUsdtSpec.SPEC_SIZE + "-byte value); found " + specs.type() + " with key " + specs.keySize()
                    + " and value " + specs.valueSize() + " bytes: is <bpf/usdt.bpf.h> from an unsupported libbpf version?");
        }
        if (options.method() == UprobeOptions.Method.PMU_IOCTL) {
            throw new IllegalArgumentException("bpf_usdt_arg() finds its spec through the attach cookie, which"
                    + " PERF_EVENT_IOC_SET_BPF cannot set; use Method.AUTO or PMU_LINK");
        }
        Path binary = dev.jbcc.symbols.Libraries.resolve(options.target(), options.pid());
        UsdtProbe probe = Usdt.probe(binary, options.provider(), options.name());
        List<UsdtSite> sites = probe.sites();
        // Sites with identical argument specs share one spec id, as libbpf does.
        List<byte[]> distinct = new ArrayList<>();
        int[] specOfSite = new int[sites.size()];
        for (int k = 0; k < sites.size(); k++) {
            byte[] encoded;
            try {
                encoded = LibbpfUsdtSpec.encode(sites.get(k), options.cookie());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(binary + ": " + e.getMessage(), e);
            }
            int found = -1;
            for (int j = 0; j < distinct.size(); j++) if (Arrays.equals(distinct.get(j), encoded)) found = j;
            if (found < 0) {
                found = distinct.size();
                distinct.add(encoded);
            }
            specOfSite[k] = found;
        }
        int[] ids = allocate(specs, distinct.size());
        List<UprobeLink> links = new ArrayList<>();
        try {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment value = arena.allocate(LibbpfUsdtSpec.SPEC_SIZE, 8);
                for (int j = 0; j < distinct.size(); j++) {
                    key.set(ValueLayout.JAVA_INT, 0, ids[j]);
                    MemorySegment.copy(MemorySegment.ofArray(distinct.get(j)), 0, value, 0, LibbpfUsdtSpec.SPEC_SIZE);
                    specs.update(key, value);
                }
            }
            long[] cookies = new long[sites.size()];
            for (int k = 0; k < sites.size(); k++) cookies[k] = ids[specOfSite[k]];
            attachSites(program, binary, sites, cookies, options, links);
            return new UsdtLink(probe, links, specs, ids);
        } catch (RuntimeException e) {
            for (UprobeLink l : links) l.close();
            release(specs, ids);
            throw e;
        }
    }

    /**
     * Attaches a program that reads arguments with {@link UsdtCodegen} readers (or none): the
     * cookie of site {@code k} is {@code k}.
     */
    public static UsdtLink attach(Program program, UsdtOptions options) {
        Path binary = dev.jbcc.symbols.Libraries.resolve(options.target(), options.pid());
        UsdtProbe probe = Usdt.probe(binary, options.provider(), options.name());
        List<UsdtSite> sites = probe.sites();
        long[] cookies = new long[sites.size()];
        for (int k = 0; k < cookies.length; k++) cookies[k] = k;
        List<UprobeLink> links = new ArrayList<>();
        try {
            attachSites(program, binary, sites, cookies, options, links);
            return new UsdtLink(probe, links, null, new int[0]);
        } catch (RuntimeException e) {
            for (UprobeLink l : links) l.close();
            throw e;
        }
    }

    private static void attachSites(Program program, Path binary, List<UsdtSite> sites, long[] cookies,
                                    UsdtOptions options, List<UprobeLink> links) {
        if (program.attachType() == AttachType.TRACE_UPROBE_MULTI) {
            long[] offsets = sites.stream().mapToLong(UsdtSite::fileOffset).toArray();
            List<Long> refs = sites.stream().map(UsdtSite::semaphoreOffset).toList();
            var multi = new UprobeMultiOptions(binary.toString(),
                    sites.stream().<UprobeOptions.Location>map(s -> new UprobeOptions.Location.FileOffset(s.fileOffset())).toList(),
                    Arrays.stream(cookies).boxed().toList(), refs, options.pid(), false);
            links.add(UprobeLink.attachMulti(program, binary, offsets, multi));
            return;
        }
        for (int k = 0; k < sites.size(); k++) {
            UsdtSite site = sites.get(k);
            var uprobe = new UprobeOptions(binary.toString(), new UprobeOptions.Location.FileOffset(site.fileOffset()),
                    options.pid(), false, site.semaphoreOffset(), cookies[k], options.method());
            links.add(UprobeLink.attach(program, binary, site.fileOffset(), uprobe));
        }
    }

    private static int[] allocate(BpfMap specs, int count) {
        synchronized (SPEC_IDS) {
            BitSet used = SPEC_IDS.computeIfAbsent(specs.id(), k -> new BitSet());
            int[] ids = new int[count];
            int next = 0;
            for (int i = 0; i < count; i++) {
                next = used.nextClearBit(next);
                if (next >= specs.maxEntries()) {
                    for (int j = 0; j < i; j++) used.clear(ids[j]);
                    throw new IllegalArgumentException(specs.name() + " has room for " + specs.maxEntries()
                            + " USDT argument specs and they are all in use; define BPF_USDT_MAX_SPEC_CNT larger"
                            + " before including <bpf/usdt.bpf.h>");
                }
                ids[i] = next;
                used.set(next++);
            }
            return ids;
        }
    }

    private static void release(BpfMap specs, int[] ids) {
        synchronized (SPEC_IDS) {
            BitSet used = SPEC_IDS.get(specs.id());
            if (used == null) return;
            for (int id : ids) used.clear(id);
            if (used.isEmpty()) SPEC_IDS.remove(specs.id());
        }
    }

    /** The probe, with its sites. */
    public UsdtProbe probe() {
        return probe;
    }

    /** One uprobe link per site (or one uprobe_multi link for all). */
    public List<UprobeLink> links() {
        return links;
    }

    /**
     * Pins every site's link in directory {@code path} (created on the bpf file system) as
     * {@code 0}, {@code 1}, ...
     */
    @Override
    public void pin(Path path) {
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + path, e);
        }
        for (int k = 0; k < links.size(); k++) links.get(k).pin(path.resolve(Integer.toString(k)));
        pinnedAt = path;
    }

    @Override
    public void unpin() {
        Path p = pinnedAt;
        if (p == null) return;
        for (UprobeLink l : links) l.unpin();
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + p, e);
        }
        pinnedAt = null;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        RuntimeException failure = null;
        for (UprobeLink l : links) {
            try {
                l.close();
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        if (specs != null && !specs.isClosed()) release(specs, specIds);
        if (failure != null) throw failure;
    }

    @Override
    public String toString() {
        return "UsdtLink[" + probe + ", " + links.size() + " link(s)" + (closed.get() ? ", closed" : "") + "]";
    }
}
