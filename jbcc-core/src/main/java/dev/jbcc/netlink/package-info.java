/**
 * A pure-Java rtnetlink client: what attaching BPF programs to the network needs, without
 * {@code ip}, {@code tc} or libnl.
 *
 * <ul>
 *   <li>{@link dev.jbcc.netlink.RtNetlink}: devices by name or index (with their attached XDP
 *       programs), IFLA_XDP attach/replace/remove, the clsact qdisc, "bpf" classifiers on its
 *       ingress and egress hooks. Errors quote the kernel's extended-ACK message and name the
 *       request and the device.</li>
 *   <li>{@link dev.jbcc.netlink.NetNamespace}: work inside another network namespace, on a
 *       dedicated thread that entered it; sockets made there stay in it.</li>
 *   <li>Values: {@link dev.jbcc.netlink.NetDevice}, {@link dev.jbcc.netlink.XdpAttachment},
 *       {@link dev.jbcc.netlink.Qdisc}, {@link dev.jbcc.netlink.TcFilter},
 *       {@link dev.jbcc.netlink.BpfFilterSpec}, {@link dev.jbcc.netlink.TcHandle}.</li>
 * </ul>
 *
 * The link types built on it ({@code XdpLink}, {@code TcLink}, {@code TcxLink},
 * {@code SocketFilter}) are in {@code dev.jbcc.link}.
 */
package dev.jbcc.netlink;
