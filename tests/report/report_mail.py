"""Parse a report mail the way a mail client does, for assertions."""
import email
import email.policy


def parse(raw):
    """-> dict(headers..., text=..., html=..., parts=[content types])"""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {"msg": msg, "subject": str(msg["Subject"]), "to": str(msg["To"]),
           "from": str(msg["From"]), "date": msg["Date"], "message_id": msg["Message-ID"],
           "mime_version": msg["MIME-Version"], "content_type": msg.get_content_type(),
           "parts": [], "text": "", "html": ""}
    if msg.is_multipart():
        for part in msg.iter_parts():
            ct = part.get_content_type()
            out["parts"].append(ct)
            if ct == "text/plain":
                out["text"] = part.get_content()
            elif ct == "text/html":
                out["html"] = part.get_content()
    return out


def text_row(text, first_cell):
    """The text-table row starting with first_cell, split into cells."""
    import re
    for line in text.splitlines():
        if line.startswith("  " + first_cell + " "):
            return re.split(r"\s{2,}", line.strip())
    return None
