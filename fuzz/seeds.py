#!/usr/bin/env python3
"""Writes the committed seed corpora of the fuzz targets from the project's own fixtures.

Run from the repository root: `python3 fuzz/seeds.py`. Every seed is small (text cut to 16 KiB,
an evtx cut to its header and first chunk); the corpora of `../shared` may seed local runs but
are never copied here.
"""
import io
import os
import struct
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
CUT = 16 * 1024


def fixture(path):
    with open(os.path.join(ROOT, "fixtures", path), "rb") as f:
        return f.read()


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


def cab(members):
    """A cabinet with one uncompressed folder (no checksums), as the format allows."""
    names = [n.encode("ascii") + b"\0" for n, _ in members]
    data = b"".join(d for _, d in members)
    header_size, folder_size = 36, 8
    files_size = sum(16 + len(n) for n in names)
    data_offset = header_size + folder_size + files_size
    blocks = [data[i:i + 32768] for i in range(0, len(data), 32768)] or [b""]
    block_bytes = b"".join(struct.pack("<IHH", 0, len(b), len(b)) + b for b in blocks)
    total = data_offset + len(block_bytes)
    out = b"MSCF" + struct.pack("<IIIIIBBHHHHH", 0, total, 0, header_size + folder_size, 0, 3, 1, 1, len(members), 0, 0, 0)
    out += struct.pack("<IHH", data_offset, len(blocks), 0)
    position = 0
    for (name, content), encoded in zip(members, names):
        out += struct.pack("<IIHHHH", len(content), position, 0, 0x5821, 0, 0x20) + encoded
        position += len(content)
    return out + block_bytes


def zipped(members, encode_names=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 5, 20, 10, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    raw = buffer.getvalue()
    if encode_names:
        for old, new in encode_names:
            raw = raw.replace(old.encode("ascii"), new)
    return raw


def main():
    cbs = fixture("demo/CBS.log")
    dism = fixture("demo/dism.log")
    writers = fixture("demo/vssadmin-writers.txt")
    bcdedit = fixture("demo/bcdedit.txt")
    system = fixture("demo/System.evtx")
    backup = fixture("demo/Microsoft-Windows-Backup.evtx")
    first_chunk = system[4096:4096 + 65536]
    pastes = []
    for name in sorted(os.listdir(os.path.join(ROOT, "fixtures", "tickets")))[:40]:
        folder = os.path.join(ROOT, "fixtures", "tickets", name)
        if not os.path.isdir(folder):
            continue
        for file in sorted(os.listdir(folder)):
            if file != "expect.toml" and len(pastes) < 24:
                pastes.append((f"{name[:3]}-{file}", fixture(f"tickets/{name}/{file}")[:CUT]))
    texts = [("cbs.log", cbs[:CUT]), ("dism.log", dism), ("writers.txt", writers), ("bcdedit.txt", bcdedit)]

    for name, data in texts + pastes[:8]:
        write("front_end", name, data)
        write("analyze", name, data)
    write("front_end", "system-head.evtx", system[:4096 + 65536])
    write("analyze", "backup-head.evtx", backup[:4096 + 65536])
    for name, data in pastes:
        write("paste", name, data)
        write("encoding", name, data)
    write("encoding", "cp932.txt", "ライター名: 'System Writer'\r\n".encode("cp932"))
    write("encoding", "utf16le.txt", b"\xff\xfe" + "Writer name: 'System Writer'\r\n".encode("utf-16-le"))
    write("servicing", "cbs.log", cbs[:CUT])
    write("servicing", "dism.log", dism)
    write("vssadmin", "writers.txt", writers)
    for name, data in pastes:
        if "writers" in name or "vssadmin" in name or "providers" in name or "shadowstorage" in name:
            write("vssadmin", name, data)
    write("machine", "bcdedit.txt", bcdedit)
    for name, data in pastes:
        if "bcdedit" in name:
            write("machine", name, data)
    write("machine", "msinfo32.txt", "System Information report written at: 05/20/2024 10:00:00\r\n[System Summary]\r\n\r\nItem\tValue\t\r\nOS Name\tMicrosoft Windows 11 Pro\t\r\nBIOS Mode\tUEFI\t\r\nSecure Boot State\tOn\t\r\n".encode("utf-8"))
    write("event_xml", "vss-8224.xml", fixture("tickets/009-vss-8224-idle-shutdown/vss-8224.xml"))
    write("binxml", "system-chunk", b"\x00\x02" + first_chunk)
    write("evtx", "system-head.evtx", system[:4096 + 65536])
    write("evtx", "header-only.evtx", system[:4096])
    write("cab", "cbspersist.cab", cab([("CbsPersist_20240520100000.log", cbs[:CUT])]))
    write("cab", "two-members.cab", cab([("CBS.log", cbs[:4096]), ("dism.log", dism)]))
    plain = zipped([("case/CBS.log", cbs[:CUT]), ("case/writers.txt", writers)])
    write("zip", "plain.zip", plain)
    write("zip", "truncated.zip", plain[: len(plain) // 2])
    write("zip", "nested.zip", zipped([("inner.zip", plain), ("dism.log", dism)]))
    # Japanese Explorer writes CP932 names without the UTF-8 flag: an ASCII stand-in of the
    # same length is written, then replaced byte for byte.
    cp932 = "ログ".encode("cp932")
    write("zip", "cp932-names.zip", zipped([("X" * len(cp932) + "/CBS.log", cbs[:4096])], [("X" * len(cp932), cp932)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
