"""The inbound webhook receiver: POST /integrations/webhooks/<partner>/."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def receive(request, partner_slug):
    return JsonResponse({"error": "Unknown partner."}, status=404)
