# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""UserTemplates.get / getAvailable (reference §8). Templates come from the seed; no method writes them."""

from __future__ import annotations

from _model import ROLE_RANK, TEMPLATE_SPEC
from _query import SEARCH_QUERY, Collection
from _rpc import rpc_method
from _schema import STRING

TEMPLATES = Collection("UserTemplate", TEMPLATE_SPEC)


@rpc_method("UserTemplates.get", {"query": SEARCH_QUERY})
def get_templates(call):
    return call.listing(TEMPLATES, "", call.store.templates.values, "userTemplateList")


@rpc_method("UserTemplates.getAvailable", {"domainId": STRING})
def get_available_templates(call):
    """The templates a domain may use (reference §8): "Only templates without administrative rights are
    listed ... only templates with this domain and templates without domain are listed"."""
    domain = call.store.domain_of_item(call.params["domainId"])
    available = [
        template.render() for template in call.store.templates.values()
        if template.domain in (None, domain) and ROLE_RANK[template.data["role"]["userRole"]] == ROLE_RANK["UserRole"]
    ]
    return {"userTemplateList": available}
