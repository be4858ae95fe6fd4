"""The clinic's contact details for a document: phone numbers for international dialling,
a WhatsApp link and the QR code that opens it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
import segno

from .errors import ConfigError
from .locales import LocaleInfo
from .project import Leaflet, Project, localized


@dataclass(frozen=True)
class Contact:
    """The clinic's contact details, formatted for the document's locale."""

    name: str
    doctor: str
    phone: str
    phone_uri: str
    whatsapp: str
    whatsapp_url: str
    whatsapp_qr: str
    emergency_number: str
    email: str
    website: str
    address: str


def format_phone(number: str, country: str, where: str) -> tuple[str, str]:
    """Return (international display form, ``tel:`` URI) for a phone number."""
    try:
        parsed = phonenumbers.parse(number, country)
    except phonenumbers.NumberParseException as exc:
        raise ConfigError(f"{where}: {number!r} is not a phone number: {exc}") from None
    if not phonenumbers.is_possible_number(parsed):
        raise ConfigError(f"{where}: {number!r} is not a possible phone number in {country}")
    display = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    uri = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.RFC3966)
    return _clinic_grouping(number, parsed) or display, uri


def _clinic_grouping(written: str, parsed: phonenumbers.PhoneNumber) -> str | None:
    """The international form grouped as the clinic wrote it, when it wrote groups.

    phonenumbers groups some ranges unlike local custom (Turkish 850 numbers as 255 2423 where
    people write 255 24 23); the clinic's own grouping wins, the digits are still validated.
    """
    national = str(parsed.national_number)
    country = str(parsed.country_code)
    digits = re.sub(r"[^\d\s]", " ", written).split()
    if written.strip().startswith("+") and digits and digits[0].startswith(country):
        digits[0] = digits[0][len(country) :]
    groups = [g for g in digits if g]
    if len(groups) < 2 or "".join(groups).lstrip("0") != national:
        return None
    groups[0] = groups[0].lstrip("0") or groups[0]
    return f"+{country} " + " ".join(groups)


def contact(project: Project, info: LocaleInfo, leaflet: Leaflet | None = None) -> Contact:
    """The contact details ``leaflet`` shows: its ``[clinics.NAME]``, else ``[clinic]``."""
    clinic = project.clinic_of(leaflet) if leaflet else project.clinic
    table = f"clinics.{leaflet.clinic}" if leaflet and leaflet.clinic else "clinic"
    where = f"{project.settings_path}: [{table}]"
    phone, phone_uri = format_phone(clinic.phone, clinic.country, where)
    whatsapp = whatsapp_url = whatsapp_qr = ""
    if clinic.whatsapp:
        whatsapp, uri = format_phone(clinic.whatsapp, clinic.country, where)
        whatsapp_url = "https://wa.me/" + re.sub(r"\D", "", uri)
        whatsapp_qr = _qr_data_uri(whatsapp_url)
    # Phone numbers in the locale's digits, like its dates and page numbers (Persian: ۰–۹).
    phone, whatsapp = info.localize_digits(phone), info.localize_digits(whatsapp)
    emergency = info.localize_digits(clinic.emergency_number)
    if info.rtl:
        # Keep "+90 850 …" in one left-to-right run inside right-to-left text.
        phone, whatsapp = (f"\u2066{n}\u2069" if n else n for n in (phone, whatsapp))
    return Contact(
        name=localized(clinic.name, info.code, project.source_locale),
        doctor=clinic.doctor,
        phone=phone,
        phone_uri=phone_uri,
        whatsapp=whatsapp,
        whatsapp_url=whatsapp_url,
        whatsapp_qr=whatsapp_qr,
        emergency_number=emergency,
        email=clinic.email,
        website=clinic.website,
        address=localized(clinic.address, info.code, project.source_locale),
    )


@cache
def _qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#000", omitsize=True)
