from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from core.access import can_read_member_data, login_and_second_factor_required
from documents.downloads import safe_filename
from documents.models import PrivateFile


@require_GET
@login_and_second_factor_required
def download(request, pk):
    private_file = get_object_or_404(PrivateFile.objects.select_related("member"), pk=pk)
    if not can_read_member_data(request.user, private_file.member):
        raise Http404
    return private_file_response(private_file)


def private_file_response(private_file: PrivateFile) -> FileResponse:
    response = FileResponse(
        private_file.file.open("rb"),
        as_attachment=True,
        # Sanitised at upload already; again here, for rows older than that rule.
        filename=safe_filename(private_file.original_name.rsplit(".", 1)[0], extension=private_file.extension),
        content_type=private_file.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
