/* jbcc's <bcc/proto.h>: packet headers for bcc's cursor dialect.
 *
 * Each struct lays out one protocol header as it is on the wire: packed, fields in network byte
 * order, bit fields counted from the most significant bit of their first byte. A program walks
 * the packet with a cursor that starts at 0 (u8 *cursor = 0) and cursor_advance(cursor, n);
 * jbcc's rewrite turns each read of a field through such a pointer (ip->src) into a load from the
 * packet (bpf_dext_pkt) and each assignment (ip->ttl = 1) into a store (bpf_dins_pkt), in host
 * byte order. That needs the packet: the program's context must be struct __sk_buff *
 * (socket filters, TC classifiers and actions).
 *
 * BPF_PACKET_HEADER marks a struct as such a header; programs may declare their own. */
#ifndef __JBCC_BCC_PROTO_H
#define __JBCC_BCC_PROTO_H

#define BPF_PACKET_HEADER __attribute__((packed, annotate("jbcc_packet_header")))

struct ethernet_t {
    unsigned long long dst:48;
    unsigned long long src:48;
    unsigned int type:16;
} BPF_PACKET_HEADER;

/* 802.1Q tag: priority, drop eligible, VLAN id; then the encapsulated ethertype */
struct dot1q_t {
    unsigned short pri:3;
    unsigned short cfi:1;
    unsigned short vlanid:12;
    unsigned short type;
} BPF_PACKET_HEADER;

struct arp_t {
    unsigned short htype;
    unsigned short ptype;
    unsigned char hlen;
    unsigned char plen;
    unsigned short oper;
    unsigned long long sha:48;
    unsigned long long spa:32;
    unsigned long long tha:48;
    unsigned int tpa;
} BPF_PACKET_HEADER;

struct ip_t {
    unsigned char ver:4;             /* offset 0 */
    unsigned char hlen:4;            /* header length in 32-bit words */
    unsigned char tos;
    unsigned short tlen;
    unsigned short identification;   /* offset 4 */
    unsigned short ffo_unused:1;
    unsigned short df:1;
    unsigned short mf:1;
    unsigned short foffset:13;
    unsigned char ttl;               /* offset 8 */
    unsigned char nextp;             /* IPPROTO_* of the payload */
    unsigned short hchecksum;
    unsigned int src;                /* offset 12 */
    unsigned int dst;                /* offset 16 */
} BPF_PACKET_HEADER;

struct icmp_t {
    unsigned char type;
    unsigned char code;
    unsigned short checksum;
} BPF_PACKET_HEADER;

struct ip6_t {
    unsigned int ver:4;
    unsigned int priority:8;
    unsigned int flow_label:20;
    unsigned short payload_len;
    unsigned char next_header;
    unsigned char hop_limit;
    unsigned long long src_hi;       /* offset 8 */
    unsigned long long src_lo;
    unsigned long long dst_hi;       /* offset 24 */
    unsigned long long dst_lo;
} BPF_PACKET_HEADER;

/* an IPv6 extension header's first 8 bytes */
struct ip6_opt_t {
    unsigned char next_header;
    unsigned char ext_len;
    unsigned char pad[6];
} BPF_PACKET_HEADER;

struct icmp6_t {
    unsigned char type;
    unsigned char code;
    unsigned short checksum;
} BPF_PACKET_HEADER;

struct udp_t {
    unsigned short sport;
    unsigned short dport;
    unsigned short length;
    unsigned short crc;
} BPF_PACKET_HEADER;

struct tcp_t {
    unsigned short src_port;         /* offset 0 */
    unsigned short dst_port;
    unsigned int seq_num;            /* offset 4 */
    unsigned int ack_num;            /* offset 8 */
    unsigned char offset:4;          /* offset 12: data offset in 32-bit words */
    unsigned char reserved:4;
    unsigned char flag_cwr:1;
    unsigned char flag_ece:1;
    unsigned char flag_urg:1;
    unsigned char flag_ack:1;
    unsigned char flag_psh:1;
    unsigned char flag_rst:1;
    unsigned char flag_syn:1;
    unsigned char flag_fin:1;
    unsigned short rcv_wnd;
    unsigned short cksum;            /* offset 16 */
    unsigned short urg_ptr;
} BPF_PACKET_HEADER;

struct vxlan_t {
    unsigned int rsv1:4;
    unsigned int iflag:1;            /* the VNI is valid */
    unsigned int rsv2:3;
    unsigned int rsv3:24;
    unsigned int key:24;             /* the VNI */
    unsigned int rsv4:8;
} BPF_PACKET_HEADER;

/* VXLAN with the group based policy extension */
struct vxlan_gbp_t {
    unsigned int gflag:1;
    unsigned int rsv1:3;
    unsigned int iflag:1;
    unsigned int rsv2:3;
    unsigned int rsv3:1;
    unsigned int dflag:1;
    unsigned int rsv4:1;
    unsigned int aflag:1;
    unsigned int rsv5:3;
    unsigned int tag:16;
    unsigned int key:24;
    unsigned int rsv6:8;
} BPF_PACKET_HEADER;

#endif
