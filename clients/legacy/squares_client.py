# The legacy SQUARES client, as it was: only the address is taken from the
# command line, and each answer is printed (the listing only received them).
#   python3 squares_client.py [HOST] [PORT]
import socket
import sys

HOST = sys.argv[1] if len(sys.argv) > 1 else '127.0.0.1'   # The remote host
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 50007      # The same port as used by the server

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect((HOST, PORT))
s.send(b'Hi there!')
data = s.recv(1024)
print(data.decode())
for i in range(0, 100):
    data = str(i).encode()
    s.send(data)
    data = s.recv(1024)
    print(data.decode())
s.close()
