"""ISO 3166-1 alpha-2 codes and the English names people write for them.

A built-in table, so that a foreign CSV's country column (``Russia``, ``RU``,
``Russian Federation``) resolves without a network or another dependency. The first
name on each line is the one a new country place gets; the others are accepted too.
Countries already in the database (places of kind ``country`` and their aliases) are
consulted first, so a user's own spelling always wins.
"""

from __future__ import annotations

from functools import cache, lru_cache

from tracker.names import name_key

_TABLE = """
AD Andorra
AE United Arab Emirates|UAE|Emirates
AF Afghanistan
AG Antigua and Barbuda
AL Albania
AM Armenia
AO Angola
AR Argentina
AT Austria
AU Australia
AZ Azerbaijan
BA Bosnia and Herzegovina|Bosnia
BB Barbados
BD Bangladesh
BE Belgium
BF Burkina Faso
BG Bulgaria
BH Bahrain
BI Burundi
BJ Benin
BN Brunei|Brunei Darussalam
BO Bolivia
BR Brazil
BS Bahamas|The Bahamas
BT Bhutan
BW Botswana
BY Belarus
BZ Belize
CA Canada
CD Democratic Republic of the Congo|DR Congo|DRC|Congo-Kinshasa
CF Central African Republic
CG Republic of the Congo|Congo|Congo-Brazzaville
CH Switzerland
CI Cote d'Ivoire|Ivory Coast
CL Chile
CM Cameroon
CN China|People's Republic of China|PRC
CO Colombia
CR Costa Rica
CU Cuba
CV Cabo Verde|Cape Verde
CY Cyprus
CZ Czechia|Czech Republic
DE Germany
DJ Djibouti
DK Denmark
DM Dominica
DO Dominican Republic
DZ Algeria
EC Ecuador
EE Estonia
EG Egypt
ER Eritrea
ES Spain
ET Ethiopia
FI Finland
FJ Fiji
FM Micronesia
FR France
GA Gabon
GB United Kingdom|UK|Great Britain|Britain
GD Grenada
GE Georgia
GH Ghana
GL Greenland
GM Gambia|The Gambia
GN Guinea
GQ Equatorial Guinea
GR Greece
GT Guatemala
GW Guinea-Bissau
GY Guyana
HK Hong Kong
HN Honduras
HR Croatia
HT Haiti
HU Hungary
ID Indonesia
IE Ireland
IL Israel
IN India
IQ Iraq
IR Iran
IS Iceland
IT Italy
JM Jamaica
JO Jordan
JP Japan
KE Kenya
KG Kyrgyzstan
KH Cambodia
KI Kiribati
KM Comoros
KN Saint Kitts and Nevis
KP North Korea|Democratic People's Republic of Korea|DPRK
KR South Korea|Republic of Korea|Korea
KW Kuwait
KZ Kazakhstan
LA Laos
LB Lebanon
LC Saint Lucia
LI Liechtenstein
LK Sri Lanka
LR Liberia
LS Lesotho
LT Lithuania
LU Luxembourg
LV Latvia
LY Libya
MA Morocco
MC Monaco
MD Moldova
ME Montenegro
MG Madagascar
MH Marshall Islands
MK North Macedonia|Macedonia
ML Mali
MM Myanmar|Burma
MN Mongolia
MR Mauritania
MT Malta
MU Mauritius
MV Maldives
MW Malawi
MX Mexico
MY Malaysia
MZ Mozambique
NA Namibia
NE Niger
NG Nigeria
NI Nicaragua
NL Netherlands|The Netherlands|Holland
NO Norway
NP Nepal
NR Nauru
NZ New Zealand
OM Oman
PA Panama
PE Peru
PG Papua New Guinea
PH Philippines
PK Pakistan
PL Poland
PS Palestine|State of Palestine|Palestinian Territories
PT Portugal
PW Palau
PY Paraguay
QA Qatar
RO Romania
RS Serbia
RU Russia|Russian Federation
RW Rwanda
SA Saudi Arabia
SB Solomon Islands
SC Seychelles
SD Sudan
SE Sweden
SG Singapore
SI Slovenia
SK Slovakia
SL Sierra Leone
SM San Marino
SN Senegal
SO Somalia
SR Suriname
SS South Sudan
ST Sao Tome and Principe
SV El Salvador
SY Syria
SZ Eswatini|Swaziland
TD Chad
TG Togo
TH Thailand
TJ Tajikistan
TL Timor-Leste|East Timor
TM Turkmenistan
TN Tunisia
TO Tonga
TR Turkey|Turkiye|Türkiye
TT Trinidad and Tobago
TV Tuvalu
TW Taiwan
TZ Tanzania
UA Ukraine
UG Uganda
US United States|United States of America|USA|US|America
UY Uruguay
UZ Uzbekistan
VA Vatican City|Holy See|Vatican
VC Saint Vincent and the Grenadines
VE Venezuela
VN Vietnam|Viet Nam
VU Vanuatu
WS Samoa
XK Kosovo
YE Yemen
ZA South Africa
ZM Zambia
ZW Zimbabwe
"""


@cache
def _index() -> tuple[dict[str, str], dict[str, str]]:
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    for line in _TABLE.strip().splitlines():
        code, _, rest = line.partition(" ")
        spellings = rest.split("|")
        names[code] = spellings[0]
        for spelling in spellings:
            codes.setdefault(name_key(spelling), code)
    return names, codes


def country_name(code: str) -> str | None:
    """The English name of the country with ISO code ``code`` (``None`` if unknown)."""
    return _index()[0].get(code.upper())


@lru_cache(maxsize=65_536)
def code_for_name(name: str) -> str | None:
    """The ISO code of the country ``name`` names (``None`` if the table has no such name).

    Remembered: an import asks it about every venue of every row."""
    return _index()[1].get(name_key(name))


def is_code(text: str) -> bool:
    """Whether ``text`` is a known ISO 3166-1 alpha-2 code (any case)."""
    return text.upper() in _index()[0]
