from exports.services import export_build as _build


def export_build(export_id: int) -> str:
    return _build(export_id).status
