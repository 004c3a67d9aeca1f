# A TCP session on 127.0.0.1 whose receiving end drops every segment (a classic BPF filter that
# returns 0), so the sender retransmits. Prints "client-port server-port", then keeps the
# session open for argv[1] seconds.
import ctypes
import socket
import struct
import sys
import time

SO_ATTACH_FILTER = 26
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
client = socket.create_connection(server.getsockname())
accepted, _ = server.accept()
drop_all = ctypes.create_string_buffer(struct.pack("HBBI", 0x06, 0, 0, 0))  # BPF_RET|BPF_K 0
accepted.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, struct.pack("HL", 1, ctypes.addressof(drop_all)))
print(client.getsockname()[1], server.getsockname()[1], flush=True)
client.send(b"x" * 100)
time.sleep(float(sys.argv[1]))
