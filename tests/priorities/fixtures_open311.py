"""Response shapes of Open311 GeoReport v2, written from the specification's example responses
(http://wiki.open311.org/GeoReport_v2 and its Service Discovery page): the same fields, in the
same order and nesting, with values of our own. Tests compare the portal's answers with these
field by field."""

DISCOVERY_JSON = {
    "changeset": "2011-02-03T14:10:23Z",
    "contact": "You can email or call for assistance api@example.org",
    "key_service": "You can request a key here: http://api.example.org/request_key",
    "endpoints": [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "https://open311.example.org/dev/v2",
            "changeset": "2010-11-23T09:01:00Z",
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ],
}

DISCOVERY_XML = """<?xml version="1.0" encoding="utf-8"?>
<discovery>
    <changeset>2011-02-03T14:10:23Z</changeset>
    <contact>You can email or call for assistance api@example.org</contact>
    <key_service>You can request a key here: http://api.example.org/request_key</key_service>
    <endpoints>
        <endpoint>
            <specification>http://wiki.open311.org/GeoReport_v2</specification>
            <url>https://open311.example.org/dev/v2</url>
            <changeset>2010-11-23T09:01:00Z</changeset>
            <type>production</type>
            <formats>
                <format>text/xml</format>
                <format>application/json</format>
            </formats>
        </endpoint>
    </endpoints>
</discovery>"""

SERVICE_LIST_JSON = [
    {
        "service_code": "001",
        "service_name": "Cans left out 24x7",
        "description": "Bins left out long after collection.",
        "metadata": True,
        "type": "realtime",
        "keywords": "bins, waste",
        "group": "sanitation",
    }
]

SERVICE_LIST_XML = """<?xml version="1.0" encoding="utf-8"?>
<services>
    <service>
        <service_code>001</service_code>
        <service_name>Cans left out 24x7</service_name>
        <description>Bins left out long after collection.</description>
        <metadata>true</metadata>
        <type>realtime</type>
        <keywords>bins, waste</keywords>
        <group>sanitation</group>
    </service>
</services>"""

SERVICE_DEFINITION_JSON = {
    "service_code": "DMV66",
    "attributes": [
        {
            "variable": True,
            "code": "WHISHETN",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": None,
            "order": 1,
            "description": "Which make is it?",
            "values": [{"key": "123", "name": "Ford"}, {"key": "124", "name": "Chrysler"}],
        }
    ],
}

SERVICE_DEFINITION_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_definition>
    <service_code>DMV66</service_code>
    <attributes>
        <attribute>
            <variable>true</variable>
            <code>WHISHETN</code>
            <datatype>singlevaluelist</datatype>
            <required>true</required>
            <datatype_description></datatype_description>
            <order>1</order>
            <description>Which make is it?</description>
            <values>
                <value><key>123</key><name>Ford</name></value>
                <value><key>124</key><name>Chrysler</name></value>
            </values>
        </attribute>
    </attributes>
</service_definition>"""

POST_RESPONSE_JSON = [{"service_request_id": "293944", "service_notice": "We will inspect it.", "account_id": None}]

POST_RESPONSE_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_requests>
    <request>
        <service_request_id>293944</service_request_id>
        <service_notice>We will inspect it.</service_notice>
        <account_id/>
    </request>
</service_requests>"""

SERVICE_REQUESTS_JSON = [
    {
        "service_request_id": "638344",
        "status": "closed",
        "status_notes": "Duplicate request.",
        "service_name": "Sidewalk and Curb Issues",
        "service_code": "006",
        "description": None,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": "2010-04-14T06:37:38-08:00",
        "updated_datetime": "2010-04-14T06:37:38-08:00",
        "expected_datetime": "2010-04-15T06:37:38-08:00",
        "address": "8TH AVE and JUDAH ST",
        "address_id": "545483",
        "zipcode": "94122",
        "lat": 37.762221815,
        "long": -122.4651145,
        "media_url": "https://example.org/638344.jpg",
    }
]

SERVICE_REQUESTS_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_requests>
    <request>
        <service_request_id>638344</service_request_id>
        <status>closed</status>
        <status_notes>Duplicate request.</status_notes>
        <service_name>Sidewalk and Curb Issues</service_name>
        <service_code>006</service_code>
        <description></description>
        <agency_responsible></agency_responsible>
        <service_notice></service_notice>
        <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
        <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
        <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
        <address>8TH AVE and JUDAH ST</address>
        <address_id>545483</address_id>
        <zipcode>94122</zipcode>
        <lat>37.762221815</lat>
        <long>-122.4651145</long>
        <media_url>https://example.org/638344.jpg</media_url>
    </request>
</service_requests>"""

ERRORS_JSON = [{"code": 403, "description": "Invalid api_key received -- can't proceed with create_request."}]

ERRORS_XML = """<?xml version="1.0" encoding="utf-8"?>
<errors>
    <error>
        <code>403</code>
        <description>Invalid api_key received -- can't proceed with create_request.</description>
    </error>
</errors>"""

# The spec's W3C datetime: date, time to the second and a zone (Z or an offset).
W3C_DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"
