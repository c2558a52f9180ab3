"""A real SMTP server on loopback for psirt's tests (aiosmtpd).

Usage: python3 smtp_sink.py OUT_DIR
Listens on a free port of 127.0.0.1, prints the port on the first line of standard output, and
writes every accepted message to OUT_DIR/NNNNNN.json as {"mail_from", "rcpt_tos", "data"}
before answering 250, so a message the client saw accepted is already on disk.
"""

import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.out, f"{self.count:06d}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "data": envelope.content.decode("utf-8", "replace"),
                },
                f,
            )
        os.replace(path + ".tmp", path)
        return "250 Message accepted for delivery"


async def main(out):
    sink = Sink(out)  # one handler for every connection, so the numbering is global
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
