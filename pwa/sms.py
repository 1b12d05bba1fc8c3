"""SMS to the coordinators through an HTTP gateway: one small adapter, off unless configured.

SMS_GATEWAY_URL and SMS_GATEWAY_KEY come from config; either unset means
no SMS is sent (the e-mail and the team page still are). The request is
GatewayAPI.com's REST call, a Danish gateway (https://gatewayapi.com/docs/,
"REST API", "Sending SMS'es"):

    POST https://gatewayapi.com/rest/mtsms
    Authorization: Basic base64("<API token>:")      (the token as user name, empty password)
    Content-Type: application/json

    {"sender": "Gadekontakt", "message": "...", "recipients": [{"msisdn": 4512345678}]}

answered 200 with {"ids": [...]}; 4xx/5xx carry the reason in a JSON body.
Another gateway that takes the same shape needs only its URL; one that does
not needs its own `_request` here. Standard library only: one POST does not
need an HTTP client dependency.
"""
import base64
import json
import re
import urllib.error
import urllib.request

from flask import current_app

TIMEOUT = 15
SENDER_MAX = 11    # GatewayAPI: up to 11 alphanumeric characters


class SmsError(Exception):
    pass


def enabled():
    cfg = current_app.config
    return bool(cfg.get("SMS_GATEWAY_URL") and cfg.get("SMS_GATEWAY_KEY"))


def msisdn(number):
    """'+45 12 34 56 78', '0045…' or eight Danish digits as the gateway's number (4512345678), else None."""
    digits = re.sub(r"[\s\-().]", "", str(number or ""))
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif re.fullmatch(r"\d{8}", digits):
        digits = "45" + digits
    return int(digits) if re.fullmatch(r"\d{8,15}", digits) else None


def _request(numbers, message):
    cfg = current_app.config
    body = {"sender": (cfg.get("SMS_SENDER") or "Gadekontakt")[:SENDER_MAX], "message": message,
            "recipients": [{"msisdn": n} for n in numbers]}
    token = base64.b64encode(f"{cfg['SMS_GATEWAY_KEY']}:".encode()).decode()
    return urllib.request.Request(cfg["SMS_GATEWAY_URL"], data=json.dumps(body).encode(), method="POST",
                                  headers={"Authorization": f"Basic {token}", "Content-Type": "application/json",
                                           "Accept": "application/json"})


def send(numbers, message):
    """Send one message to every number; SmsError says why it was not sent."""
    found = [n for n in (msisdn(x) for x in numbers) if n]
    if not found:
        raise SmsError("no valid phone number")
    try:
        with urllib.request.urlopen(_request(found, message), timeout=TIMEOUT) as resp:
            answer = json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        raise SmsError(f"gateway answered {e.code}: {e.read()[:200]!r}") from None
    except (OSError, ValueError) as e:
        raise SmsError(f"gateway not reached: {e}") from None
    if not answer.get("ids"):
        raise SmsError(f"gateway gave no message id: {answer!r}"[:300])
    return answer["ids"]
