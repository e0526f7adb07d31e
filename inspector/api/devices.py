"""Admin: the phones registered in the admin's jurisdiction, and revoking one."""
from __future__ import annotations

from flask import g

from ..schemas.accounts import DeviceListOut, DeviceOut
from ..services import auth as auth_service
from .common import authenticated, bp, documented

device_out, devices_out = DeviceOut(), DeviceListOut()


@bp.get("/devices")
@authenticated("admin")
@documented("Registered phones", response=devices_out)
def list_devices():
    return devices_out.dump({"devices": auth_service.list_devices(g.user)})


@bp.post("/devices/<int:device_id>/revoke")
@authenticated("admin")
@documented("Sign a phone out (lost or stolen); its token stops working at once", response=device_out)
def revoke_device(device_id: int):
    return device_out.dump(auth_service.revoke_device(g.user, device_id))
