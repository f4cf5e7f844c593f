# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""check_plan: what the server would refuse part-way through an import, found from the plan before the first write.

The rules are the emulator's (tests/emulator/_rules.py, _state.py): an address belongs to one user, group or
alias; enabled users count against the licence and the domain's limit; the session's own account stays.
"""

from __future__ import annotations

from ansible_collections.kerio.connect.plugins.plugin_utils._plan_checks import ServerFacts, addresses_to_look_up, admin_groups, check_plan
from ansible_collections.kerio.connect.plugins.plugin_utils._reconcile import PlanOptions, build_plan
from ansible_collections.kerio.connect.plugins.plugin_utils._records import Origin, UserRecord

GROUPS = [{"id": "g-sales", "name": "sales"}]


def record(name, line=2, **fields):
    fields.setdefault("password", "Pa55-word-1")
    return UserRecord(name=name, origin=Origin("users.csv", line=line), **fields)


def server_user(login, **fields):
    user = {"id": f"id-{login}", "loginName": login, "fullName": "", "description": "", "emailAddresses": [], "userGroups": [],
            "isEnabled": True}
    user.update(fields)
    return user


def problems(records, existing=(), facts=ServerFacts(), **options):
    plan = build_plan(records, list(existing), GROUPS, PlanOptions(**options))
    assert not plan.errors
    return [str(error) for error in check_plan(plan, list(existing), facts)]


# --- addresses ------------------------------------------------------------------------------------------


def test_two_declared_users_with_the_same_address_are_refused_naming_both_rows():
    (error,) = problems([record("user1", line=2, addresses=("shared.addr",)), record("user2", line=3, addresses=("Shared.Addr",))])
    assert error.startswith("users.csv, line 3, column MailAddress: the address 'Shared.Addr' is also declared for the user 'user1'")
    assert "(users.csv, line 2)" in error


def test_an_address_that_is_another_declared_users_login_name_is_refused():
    (error,) = problems([record("bob", line=2), record("alice", line=3, addresses=("BOB",))])
    assert error.startswith("users.csv, line 3, column MailAddress: the address 'BOB' is also declared for the user 'bob'")


def test_an_address_an_existing_user_keeps_is_refused():
    existing = [server_user("jdoe", emailAddresses=["john.doe"])]
    (error,) = problems([record("newbie", addresses=("John.Doe",))], existing)
    assert error.startswith("users.csv, line 2, column MailAddress: the address 'John.Doe' already belongs to the user 'jdoe', who keeps it")
    # Declared for jdoe too, unchanged: jdoe still keeps it.
    (error,) = problems([record("jdoe", addresses=("john.doe",)), record("newbie", line=3, addresses=("john.doe",))], existing)
    assert error.startswith("users.csv, line 3, column MailAddress: the address 'john.doe' already belongs to the user 'jdoe', who keeps it")


def test_a_new_login_name_that_is_an_existing_address_is_refused():
    (error,) = problems([record("john.doe")], [server_user("jdoe", emailAddresses=["john.doe"])])
    assert error.startswith("users.csv, line 2, column Name: the login name 'john.doe' (also the user's address) already belongs to "
                            "the user 'jdoe', who keeps it")


def test_an_existing_users_login_name_is_never_free():
    existing = [server_user("jdoe", emailAddresses=["john.doe"])]
    # Even while jdoe's addresses change, its login name stays its address.
    (error,) = problems([record("jdoe", addresses=("jd",)), record("newbie", line=3, addresses=("jdoe",))], existing)
    assert "the address 'jdoe' is the login name of the user 'jdoe'" in error


def test_an_address_given_up_by_a_removed_or_changed_user_is_free_for_a_new_user():
    existing = [server_user("gone", emailAddresses=["info"]), server_user("jdoe", emailAddresses=["john.doe", "sales.desk"])]
    records = [
        record("gone", state="absent"),
        record("jdoe", addresses=("john.doe",)),
        record("newbie", addresses=("info", "sales.desk")),
    ]
    assert problems(records, existing) == []


def test_an_address_given_up_by_a_removed_user_is_free_for_a_changed_user():
    existing = [server_user("gone", emailAddresses=["info"]), server_user("jdoe")]
    assert problems([record("gone", state="absent"), record("jdoe", addresses=("info",))], existing) == []


def test_an_address_may_move_between_two_changed_users_and_two_may_swap_theirs():
    existing = [server_user("a", emailAddresses=["desk"]), server_user("b"), server_user("c", emailAddresses=["x"]),
                server_user("d", emailAddresses=["y"])]
    records = [record("a", addresses=()), record("b", line=3, addresses=("desk",)),
               record("c", line=4, addresses=("y",)), record("d", line=5, addresses=("x",))]
    assert problems(records, existing) == []


def test_an_address_a_changed_user_keeps_is_not_free():
    existing = [server_user("a", emailAddresses=["desk"]), server_user("b")]
    (error,) = problems([record("a", addresses=("desk", "more")), record("b", line=3, addresses=("desk",))], existing)
    assert error.startswith("users.csv, line 3, column MailAddress: the address 'desk' is also declared for the user 'a' (users.csv, line 2)")


def test_addresses_of_groups_and_aliases_are_refused_and_patterns_ignored():
    holders = [
        {"kind": "EntityGroup", "name": "sales", "collisionAddress": "Sales@example.com", "win": False, "isPattern": False},
        {"kind": "EntityAlias", "name": "info", "collisionAddress": "info@example.com", "win": False, "isPattern": False},
        {"kind": "EntityAlias", "name": "any*", "collisionAddress": "anything@example.com", "win": False, "isPattern": True},
        {"kind": "EntityUser", "name": "jdoe", "collisionAddress": "john.doe@example.com", "win": False, "isPattern": False},
    ]
    records = [record("newbie", addresses=("sales", "anything")), record("info", line=3)]
    errors = problems(records, facts=ServerFacts(address_holders=holders))
    assert errors == [
        "users.csv, line 2, column MailAddress: the address 'sales' is already used by the group 'sales' in the domain; choose another",
        "users.csv, line 3, column Name: the login name 'info' (also the user's address) is already used by the alias 'info' in the "
        "domain; choose another",
    ]


def test_a_changed_user_keeps_its_own_addresses():
    existing = [server_user("jdoe", emailAddresses=["john.doe"])]
    assert problems([record("jdoe", addresses=("john.doe", "jd"))], existing) == []


def test_the_addresses_looked_up_are_those_the_plan_gives_once_each():
    existing = [server_user("jdoe", emailAddresses=["john.doe"]), server_user("same", emailAddresses=["s"])]
    records = [record("abird", addresses=("alex", "ABird2")), record("jdoe", addresses=("jd",)), record("same", addresses=("S",)),
               record("zed", addresses=("ALEX",))]
    plan = build_plan(records, existing, GROUPS, PlanOptions())
    assert addresses_to_look_up(plan) == ["abird", "alex", "ABird2", "zed", "jd"]
    assert addresses_to_look_up(build_plan([record("same", addresses=("s",))], existing, GROUPS, PlanOptions())) == []


# --- room for enabled users ------------------------------------------------------------------------------


def count_info(current, allowed, limit_type="LicenseLimit"):
    return {"currentUsers": current, "allowedUsers": {"isUnlimited": False, "allowedUsers": allowed, "limit": allowed, "limitType": limit_type}}


def test_importing_more_enabled_users_than_fit_names_the_first_that_would_not():
    records = [record(f"user{number}", line=number + 2) for number in range(67)]
    (error,) = problems(records, facts=ServerFacts(user_count=count_info(25, 55)))
    assert error.startswith("users.csv, line 32: only 30 of the 67 enabled users this import creates or enables fit in the domain "
                            "(25 enabled in the domain; the licence allows it 55, the other domains' enabled users counted)")
    assert "create some disabled" in error


def test_disabled_users_take_no_place_and_removed_or_disabled_ones_free_theirs():
    existing = [server_user("gone"), server_user("resting", isEnabled=False), server_user("leaving")]
    records = [record("gone", state="absent"), record("leaving", enabled=False), record("resting", state="absent"),
               record("new1"), record("new2"), record("quiet", enabled=False)]
    assert problems(records, existing, facts=ServerFacts(user_count=count_info(3, 3, "DomainLimit"))) == []
    (error,) = problems([*records, record("new3", line=9)], existing, facts=ServerFacts(user_count=count_info(3, 3, "DomainLimit")))
    assert error.startswith("users.csv, line 9: only 2 of the 3 enabled users")
    assert "(3 enabled of the 3 the domain's user limit allows, 2 freed by this import's removals and disablings)" in error


def test_users_enabled_again_take_the_places_that_disablings_free():
    existing = [server_user("sleeper", isEnabled=False), server_user("busy"), server_user("dozer", isEnabled=False)]
    records = [record("sleeper", enabled=True), record("busy", line=3, enabled=False)]
    assert problems(records, existing, facts=ServerFacts(user_count=count_info(1, 1))) == []
    (error,) = problems([*records, record("dozer", line=4, enabled=True)], existing, facts=ServerFacts(user_count=count_info(1, 1)))
    assert error.startswith("users.csv, line 4: only 1 of the 2 enabled users")


def test_no_limit_means_no_capacity_problem():
    unlimited = {"currentUsers": 5, "allowedUsers": {"isUnlimited": True, "allowedUsers": -1, "limit": -1, "limitType": "DomainLimit"}}
    assert problems([record("a"), record("b")], facts=ServerFacts(user_count=unlimited)) == []


def test_the_plan_says_when_it_needs_room():
    existing = [server_user("sleeper", isEnabled=False)]
    assert build_plan([record("new")], [], GROUPS, PlanOptions()).enables_users
    assert not build_plan([record("new", enabled=False)], [], GROUPS, PlanOptions()).enables_users
    assert build_plan([record("sleeper", enabled=True)], existing, GROUPS, PlanOptions()).enables_users
    assert not build_plan([record("sleeper", full_name="Z")], existing, GROUPS, PlanOptions()).enables_users


# --- the session's own account ---------------------------------------------------------------------------


def test_removing_the_account_the_import_logs_in_with_is_refused():
    existing = [server_user("admin"), server_user("gone")]
    records = [record("admin", state="absent"), record("gone", line=3, state="absent")]
    (error,) = problems(records, existing, facts=ServerFacts(session_user={"id": "id-admin", "loginName": "admin"}))
    assert error.startswith("users.csv, line 2: the user 'admin' is the account this import logs in with (kerio_user)")
    assert problems(records[1:], existing, facts=ServerFacts(session_user={"id": "id-admin", "loginName": "admin"})) == []


def test_disabling_the_account_the_import_logs_in_with_is_refused():
    existing = [server_user("admin"), server_user("other")]
    records = [record("admin", enabled=False), record("other", line=3, enabled=False)]
    plan = build_plan(records, existing, GROUPS, PlanOptions())
    assert plan.disables_users
    (error,) = check_plan(plan, existing, ServerFacts(session_user={"id": "id-admin", "loginName": "admin"}))
    assert str(error).startswith("users.csv, line 2: the user 'admin' is the account this import logs in with (kerio_user): disabled")
    assert problems(records[1:], existing, facts=ServerFacts(session_user={"id": "id-admin", "loginName": "admin"})) == []


def test_taking_the_account_the_import_logs_in_with_out_of_its_last_administrators_group_is_refused():
    groups = [{"id": "g-staff", "name": "staff", "role": "UserRole"}, {"id": "g-admins", "name": "Admins", "role": "FullAdmin"},
              {"id": "g-accounts", "name": "accounts", "role": {"userRole": "AccountAdmin", "publicFolderRight": False, "archiveFolderRight": False}},
              {"id": "g-audit", "name": "audit", "role": "Auditor"}, {"id": "g-odd", "name": "odd", "role": {}}, {"id": "g-none", "name": "none"}]
    # A role as a UserRoleType or as a UserRight; an Auditor only reads, and a role this check cannot read gives nothing.
    assert admin_groups(groups) == {"admins", "accounts"}
    member_of_all = [{"id": group["id"], "name": group["name"]} for group in groups]
    existing = [server_user("admin", userGroups=member_of_all), server_user("other", userGroups=member_of_all)]
    facts = ServerFacts(session_user={"id": "id-admin", "loginName": "admin"}, admin_groups=admin_groups(groups))

    def errors(admin_groups_kept):
        records = [record("admin", groups=("staff", *admin_groups_kept)), record("other", line=3, groups=("staff",))]
        return [str(error) for error in check_plan(build_plan(records, existing, groups, PlanOptions(remove_from_unlisted_groups=True)), existing, facts)]

    assert errors(()) == [
        f"users.csv, line 2, column Groups: the user 'admin' is the account this import logs in with (kerio_user), and the group {name!r} "
        "gives administration rights: out of it, the account may no longer be able to run the import; change its groups as another "
        "administrator, or leave groups out for it"
        for name in ("Admins", "accounts")
    ]
    # Keeping one of them is enough; another user may leave them all (other, above and here).
    assert errors(("accounts",)) == [] and errors(("ADMINS",)) == []
