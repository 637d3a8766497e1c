# Reads AWS files the way botocore does and prints JSON, for the differential tests.
# usage: botocore_read.py sections FILE...   -> per file: {"error": bool, "sections": {name: {key: value}}}
#        botocore_read.py creds PROFILE...    -> per profile: credentials and region through boto3
import json, sys

def sections(paths):
    from botocore import configloader, exceptions
    out = []
    for p in paths:
        try:
            configloader.raw_config_parse(p, parse_subsections=True)
            out.append({"error": False, "sections": configloader.raw_config_parse(p, parse_subsections=False)})
        except exceptions.ConfigParseError:
            out.append({"error": True, "sections": {}})
    return out

def creds(profiles):
    import boto3
    out = {}
    for p in profiles:
        s = boto3.Session(profile_name=p)
        c = s.get_credentials()
        fc = c.get_frozen_credentials() if c else None
        out[p] = {"key": fc.access_key if fc else None, "secret": fc.secret_key if fc else None,
                  "token": fc.token if fc else None, "region": s.region_name}
    return out

if __name__ == "__main__":
    fn = {"sections": sections, "creds": creds}[sys.argv[1]]
    json.dump(fn(sys.argv[2:]), sys.stdout)
