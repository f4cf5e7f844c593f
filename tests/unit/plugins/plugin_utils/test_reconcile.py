# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.kerio.connect.plugins.plugin_utils._password_policy import PasswordPolicy
from ansible_collections.kerio.connect.plugins.plugin_utils._reconcile import PASSWORD_CHANGED, PlanOptions, address_releases, build_plan
from ansible_collections.kerio.connect.plugins.plugin_utils._records import Origin, UserRecord

ORIGIN = Origin("users.csv", line=2)


def record(name, **fields):
    return UserRecord(name=name, origin=ORIGIN, **fields)


def server_user(login, **fields):
    user = {
        "id": f"keriodb://user/d/{login}", "loginName": login, "fullName": "", "description": "",
        "emailAddresses": [], "userGroups": [], "isEnabled": True,
    }
    user.update(fields)
    return user


GROUPS = [{"id": "g-sales", "name": "sales"}, {"id": "g-all", "name": "all"}]


def test_missing_user_is_created_with_declared_fields():
    plan = build_plan([record("abird", full_name="Alexandra Bird", password="pw", addresses=("alex",), groups=("sales",))], [], GROUPS, PlanOptions())
    assert [create.record.name for create in plan.creates] == ["abird"]
    create = plan.creates[0]
    assert create.user == {"loginName": "abird", "fullName": "Alexandra Bird", "emailAddresses": ["alex"], "isEnabled": True}
    assert "password" not in create.user
    assert create.groups == ("sales",)
    assert create.diff["password"] == PASSWORD_CHANGED
    assert not plan.groups_to_create


def test_existing_user_matched_case_insensitively_and_unchanged():
    plan = build_plan([record("ABird", full_name="A")], [server_user("abird", fullName="A")], GROUPS, PlanOptions())
    assert plan.unchanged and not plan.creates and not plan.updates
    assert not plan.changes_anything


def test_only_declared_fields_that_differ_are_updated():
    existing = server_user("abird", fullName="Old", description="keep me", emailAddresses=["Alex"])
    plan = build_plan([record("abird", full_name="New", addresses=("alex",))], [existing], GROUPS, PlanOptions())
    (update,) = plan.updates
    assert update.pattern == {"fullName": "New"}  # addresses compare case-insensitively; description is not declared
    assert update.before == {"full_name": "Old", "addresses": ["Alex"]}
    assert update.after == {"full_name": "New", "addresses": ["Alex"]}  # as the server keeps them: no change shown


def test_update_existing_false_reports_existing_users_unchanged():
    plan = build_plan([record("abird", full_name="New")], [server_user("abird", fullName="Old")], GROUPS, PlanOptions(update_existing=False))
    assert not plan.updates and [r.name for r in plan.unchanged] == ["abird"]


def test_password_is_set_on_update_only_when_always():
    existing = [server_user("abird")]
    assert not build_plan([record("abird", password="x")], existing, GROUPS, PlanOptions()).updates
    (update,) = build_plan([record("abird", password="x")], existing, GROUPS, PlanOptions(update_password="always")).updates
    assert update.pattern == {"password": "x"}
    assert update.after["password"] == PASSWORD_CHANGED and "x" not in str(update.before) + str(update.after)
    assert update.before["password"] == "(not shown)"  # not '', which would read as an empty password


def test_groups_are_joined_and_left_only_on_request():
    existing = [server_user("abird", userGroups=[{"id": "g-all", "name": "all"}])]
    (update,) = build_plan([record("abird", groups=("Sales",))], existing, GROUPS, PlanOptions()).updates
    assert update.groups_to_join == ("sales",) and update.groups_to_leave == ()  # as the server spells it
    assert update.after["groups"] == ["all", "sales"]
    (update,) = build_plan([record("abird", groups=("sales",))], existing, GROUPS, PlanOptions(remove_from_unlisted_groups=True)).updates
    assert update.groups_to_leave == ("all",)


def test_missing_groups_are_created_once_or_reported():
    records = [record("a", password="p", groups=("new", "sales")), record("b", password="p", groups=("NEW",))]
    plan = build_plan(records, [], GROUPS, PlanOptions())
    assert plan.groups_to_create == ["new"]
    plan = build_plan(records, [], GROUPS, PlanOptions(create_groups=False))
    assert len(plan.errors) == 2 and "create_groups" in plan.errors[0].message
    assert str(plan.errors[0].origin) == "users.csv, line 2, column Groups"


def test_absent_user_is_removed_only_when_it_exists():
    plan = build_plan([record("gone", state="absent"), record("never", state="absent")], [server_user("gone")], GROUPS, PlanOptions())
    assert [removal.record.name for removal in plan.removals] == ["gone"]
    assert [r.name for r in plan.unchanged] == ["never"]


def test_template_applies_to_created_users_and_sources_win():
    template = {
        "name": "Staff", "description": "from template", "diskSizeLimit": {"isActive": True, "limit": {"value": 2, "units": "GigaBytes"}},
        "emailAddresses": ["shared"], "userGroups": [{"id": "g-all", "name": "all"}],
    }
    options = PlanOptions(template=template, defaults={"description": "from defaults", "enabled": False})
    plan = build_plan([record("a", password="p"), record("b", password="p", description="own")], [], GROUPS, options)
    first, second = plan.creates
    assert first.user["description"] == "from defaults" and second.user["description"] == "own"
    assert first.user["diskSizeLimit"]["limit"]["value"] == 2
    assert first.user["isEnabled"] is False
    assert first.user["emailAddresses"] == []  # a template address could belong to one user only
    assert first.groups == ("all",)


def test_a_template_role_gives_new_users_its_role_without_folder_rights():
    # A template's role is a UserRight "excluding public/archive folder rights" (reference §8): the
    # server may send the role alone or with those two, and Users.create takes a whole UserRight.
    whole = {"userRole": "UserRole", "publicFolderRight": False, "archiveFolderRight": False}
    for role in ({"userRole": "UserRole"}, {"userRole": "UserRole", "publicFolderRight": True, "archiveFolderRight": True}):
        plan = build_plan([record("a", password="p")], [], GROUPS, PlanOptions(template={"name": "Staff", "role": role}))
        assert plan.creates[0].user["role"] == whole
    for role in (None, {}, "UserRole"):
        plan = build_plan([record("a", password="p")], [], GROUPS, PlanOptions(template={"name": "Staff", "role": role}))
        assert "role" not in plan.creates[0].user  # the server's default


def test_default_addresses_leave_out_the_new_users_own_login_name():
    options = PlanOptions(defaults={"addresses": ["Sales", "office"]})
    plan = build_plan([record("sales", password="p"), record("a", password="p", addresses=())], [], GROUPS, options)
    assert [create.user["emailAddresses"] for create in plan.creates] == [["office"], []]


def test_groups_are_planned_as_the_server_spells_them():
    plan = build_plan([record("new", password="p", groups=("SALES", "Brand-New")), record("jdoe", groups=("sales", "ALL", "BRAND-NEW"))],
                      [server_user("jdoe", userGroups=[{"id": "g-sales", "name": "sales"}])], GROUPS, PlanOptions())
    assert plan.creates[0].groups == ("sales", "Brand-New") and plan.groups_to_create == ["Brand-New"]
    assert plan.updates[0].groups_to_join == ("all", "Brand-New") and plan.updates[0].after["groups"] == ["all", "Brand-New", "sales"]


def test_template_is_not_applied_to_existing_users():
    options = PlanOptions(template={"name": "Staff", "description": "from template"})
    plan = build_plan([record("a")], [server_user("a", description="mine")], GROUPS, options)
    assert plan.unchanged and not plan.updates


def test_directory_users_sign_in_against_their_directory_and_need_no_password():
    plan = build_plan([record("ad.user", new_user_auth_type="UKerberosAuth"), record("local.user")], [], GROUPS, PlanOptions())
    directory_user, local_user = plan.creates
    assert directory_user.user["authType"] == "UKerberosAuth" and not directory_user.needs_generated_password
    assert "password" not in directory_user.diff
    assert local_user.needs_generated_password and local_user.diff["password"] == "(generated)"
    template_plan = build_plan([record("t.user")], [], GROUPS, PlanOptions(template={"authType": "ULDAPAuth"}))
    assert not template_plan.creates[0].needs_generated_password


def test_a_user_switched_to_internal_sign_in_gets_its_declared_password_whatever_update_password_says():
    existing = [server_user("a", authType="UKerberosAuth")]
    (update,) = build_plan([record("a", auth_type="UInternalAuth", password="Pa55-word-1")], existing, GROUPS, PlanOptions()).updates
    assert update.pattern == {"authType": "UInternalAuth", "password": "Pa55-word-1"}
    # None declared: whether the user has one from before cannot be read, so the plan asks for one.
    (error,) = build_plan([record("a", auth_type="UInternalAuth")], existing, GROUPS, PlanOptions()).errors
    assert str(error.origin) == "users.csv, line 2, column Password" and "needs a password, set with the switch" in error.message


def test_auth_type_is_updated_only_when_declared_and_different():
    existing = [server_user("a", authType="UInternalAuth")]
    (update,) = build_plan([record("a", auth_type="UKerberosAuth")], existing, GROUPS, PlanOptions()).updates
    assert update.pattern == {"authType": "UKerberosAuth"}
    assert update.before == {"auth_type": "internal"} and update.after == {"auth_type": "kerberos"}  # as the options name them
    assert build_plan([record("a")], existing, GROUPS, PlanOptions()).unchanged
    assert build_plan([record("a", new_user_auth_type="UKerberosAuth")], existing, GROUPS, PlanOptions()).unchanged


STRICT = PasswordPolicy(complexity=True, minimum_length=10, domain_name="example.com")


def test_weak_passwords_are_refused_by_the_domains_policy_without_being_shown():
    records = [record("weak", password="abcdefghijk"), record("short", password="Ab1-x"), record("strong", password="Str0ng-enough")]
    plan = build_plan(records, [], GROUPS, PlanOptions(password_policy=STRICT))
    assert [str(error.origin) for error in plan.errors] == ["users.csv, line 2, column Password"] * 2
    assert "at least 10 characters" in plan.errors[0].message and "three of the kinds" in plan.errors[0].message
    assert not any(secret in str(error) for error in plan.errors for secret in ("abcdefghijk", "Ab1-x"))
    assert not build_plan(records, [], GROUPS, PlanOptions()).errors  # no complexity rule: the server takes any password


def test_a_password_holding_the_users_names_or_the_domains_is_refused_without_saying_which():
    records = [record("jsmith", password="Jsmith-2024x"), record("kb", full_name="Karen Brownlee", password="Brownlee#99x"),
               record("ldom", password="Example.com-1"), record("jo", full_name="Jo Li", password="Jo-Li-2024-ok")]
    plan = build_plan(records, [], GROUPS, PlanOptions(password_policy=STRICT))
    assert len(plan.errors) == 3 and "none of the login name, the words of the full name and the domain's name" in plan.errors[0].message
    assert [create.record.name for create in plan.creates][-1] == "jo"  # words of 2 characters do not count
    assert len({error.message for error in plan.errors}) == 1  # one message for every rule: it tells nothing of the password
    # An existing user's new password is checked against the full name it will have.
    existing = [server_user("kb", fullName="Karen Brownlee")]
    always = PlanOptions(password_policy=STRICT, update_password="always")
    assert build_plan([record("kb", full_name="Karen Other", password="Brownlee#99x")], existing, GROUPS, always).errors == []
    assert build_plan([record("kb", password="Brownlee#99x")], existing, GROUPS, always).errors


def test_a_weak_password_of_an_existing_user_matters_only_when_it_is_set():
    existing = [server_user("abird")]
    assert not build_plan([record("abird", password="weak")], existing, GROUPS, PlanOptions(password_policy=STRICT)).errors
    plan = build_plan([record("abird", password="weak")], existing, GROUPS, PlanOptions(password_policy=STRICT, update_password="always"))
    (error,) = plan.errors
    assert "password policy" in error.message


def test_an_empty_password_is_refused_whatever_the_policy():
    (error,) = build_plan([record("abird", password="")], [], GROUPS, PlanOptions()).errors
    assert "the password is empty" in error.message


def test_the_password_policy_is_read_from_the_domain():
    domain = {"name": "example.com", "passwordComplexityEnabled": True, "passwordMinimumLength": 8}
    assert PasswordPolicy.of_domain(domain) == PasswordPolicy(True, 8, "example.com")
    assert PasswordPolicy.of_domain(dict(domain, passwordMinimumLength=12)).minimum_length == 12
    # A complex password has at least 8 characters whatever the domain's minimum (Kerio's manual).
    assert PasswordPolicy.of_domain(dict(domain, passwordMinimumLength=0)).minimum_length == 8
    assert PasswordPolicy.of_domain(dict(domain, passwordComplexityEnabled=False, passwordMinimumLength=0)) == PasswordPolicy(False, 0, "example.com")
    assert PasswordPolicy.of_domain({"name": "old.server"}) == PasswordPolicy(domain_name="old.server")  # older API: no policy fields


STAFF = {"name": "Staff", "description": "Staff member", "diskSizeLimit": {"isActive": True, "limit": {"value": 2, "units": "GigaBytes"}},
         "userGroups": [{"id": "g-all", "name": "all"}]}


def test_template_groups_count_as_listed_so_a_second_run_changes_nothing():
    options = PlanOptions(template=STAFF, remove_from_unlisted_groups=True)
    (create,) = build_plan([record("abird", password="p", groups=("sales",))], [], GROUPS, options).creates
    assert create.groups == ("sales", "all")
    # The user as the first run left it: the second run plans nothing.
    created = server_user("abird", userGroups=[{"id": "g-all", "name": "all"}, {"id": "g-sales", "name": "sales"}])
    plan = build_plan([record("abird", password="p", groups=("sales",))], [created], GROUPS, options)
    assert not plan.changes_anything and plan.unchanged
    # Other unlisted groups are still left.
    other = server_user("abird", userGroups=[{"id": "g-all", "name": "all"}, {"id": "g-x", "name": "x"}])
    (update,) = build_plan([record("abird", groups=("sales",))], [other], GROUPS, options).updates
    assert update.groups_to_leave == ("x",) and update.groups_to_join == ("sales",)
    assert update.before["groups"] == ["all", "x"] and update.after["groups"] == ["all", "sales"]


def test_the_diff_of_a_created_user_shows_everything_it_gets():
    options = PlanOptions(template=dict(STAFF, authType="UInternalAuth"), defaults={"enabled": False})
    (create,) = build_plan([record("abird", password="secret", full_name="Alexandra Bird")], [], GROUPS, options).creates
    assert create.diff == {
        "full_name": "Alexandra Bird",
        "description": "Staff member",
        "disk_size_limit": {"isActive": True, "limit": {"value": 2, "units": "GigaBytes"}},
        "auth_type": "internal",
        "addresses": [],
        "groups": ["all"],
        "enabled": False,
        "password": PASSWORD_CHANGED,
    }


def test_addresses_moving_between_changed_users_are_let_go_of_first():
    existing = [server_user("a", emailAddresses=["Desk", "keep"]), server_user("b"), server_user("c", emailAddresses=["x"]),
                server_user("d", emailAddresses=["y"]), server_user("e", emailAddresses=["old"])]
    records = [record("a", addresses=("keep",)), record("b", addresses=("desk",)), record("c", addresses=("y",)),
               record("d", addresses=("x",)), record("e", addresses=("new",))]
    plan = build_plan(records, existing, GROUPS, PlanOptions())
    releases = {release.update.record.name: release.pattern for release in address_releases(plan.updates)}
    # e gives up "old" to nobody: its one change is enough.
    assert releases == {"a": {"emailAddresses": ["keep"]}, "c": {"emailAddresses": []}, "d": {"emailAddresses": []}}
