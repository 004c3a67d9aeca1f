package dev.jbcc.link;

/**
 * What the kernel says about a bpf_link ({@code struct bpf_link_info}'s common head).
 *
 * @param type          the link's kind
 * @param rawType       the kernel's {@code bpf_link_type} value (for types newer than {@link LinkType})
 * @param id            the link id (as {@code bpftool link} lists it)
 * @param programId     the id of the attached program
 */
public record LinkInfo(LinkType type, int rawType, int id, int programId) {}
