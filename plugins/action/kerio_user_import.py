# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kerio.connect contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kerio.connect.kerio_user_import, run on the controller: options in, importer, result out."""

from __future__ import annotations

import contextlib
import os
import typing as t

from ansible.errors import AnsibleActionFail, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.kerio.connect.plugins.module_utils._argument_specs import CONNECTION_SPEC, USER_IMPORT_SPEC
from ansible_collections.kerio.connect.plugins.plugin_utils._importer import ImportAborted, ImportRequest, run_import
from ansible_collections.kerio.connect.plugins.plugin_utils._kerio_api import KerioError
from ansible_collections.kerio.connect.plugins.plugin_utils._option_problems import is_about, problems_by_option
from ansible_collections.kerio.connect.plugins.plugin_utils._quoting import quoted
from ansible_collections.kerio.connect.plugins.plugin_utils._records import DirectoryError, InputValidationError

CONNECTION_OPTION_NAMES = {"kerio_url": "url", "kerio_user": "user", "kerio_password": "password"}
# A file wrong throughout (a broken quote, a wrong delimiter) has a problem on every line: past this
# many, more of them tell nothing new and would bury the output.
MAX_LISTED_PROBLEMS = 100

display = Display()


@contextlib.contextmanager
def _environment(variables: dict[str, str]) -> t.Iterator[None]:
    """``variables`` set in this process's environment meanwhile.

    The import runs in the worker Ansible forks for the task, on the controller: this gives it the
    environment a module run there would have, the controller's with the task's on top.
    """
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        # The environment keyword reaches what reads the environment: the KERIO_* fallbacks of the
        # connection options, and requests' proxy and CA bundle variables.
        with _environment(self._task_environment()):
            return self._run(result)

    def _task_environment(self) -> dict[str, str]:
        """The environment keyword of the task (and of its play and blocks), merged and templated as Ansible does for modules."""
        variables: dict[str, t.Any] = {}
        self._compute_environment_string(variables)
        return {str(name): str(value) for name, value in variables.items()}

    def _run(self, result: dict) -> dict:
        try:
            _validation, args = self.validate_argument_spec(argument_spec=USER_IMPORT_SPEC)
        except AnsibleActionFail:
            problems = self._option_problems()
            if not problems:
                raise
            return dict(result, failed=True, changed=False, msg="\n".join(problems), errors=[])
        try:
            request = self._request(args)
            result.update(run_import(request, check_mode=self._task.check_mode, diff=self._task.diff, log=display.vvv))
        except InputValidationError as error:
            listed = error.errors[:MAX_LISTED_PROBLEMS]
            unlisted = f"\n- and {len(error.errors) - len(listed)} more, not listed: fix these and run again" if len(error.errors) > len(listed) else ""
            result.update(
                failed=True,
                changed=False,
                msg=(f"{len(error.errors)} problem(s) found before the first write, so nothing was changed:\n"
                     + "\n".join(f"- {item}" for item in listed) + unlisted),
                errors=[{"source": str(item.origin), "message": item.message} for item in listed],
            )
        except (ImportAborted, KerioError, DirectoryError) as error:
            result.update(failed=True, changed=False, msg=str(error), errors=[])
        return result

    def _option_problems(self) -> list[str]:
        """Why Ansible's check refused the options, each problem of sources, users and defaults named after its entry.

        Empty when none of them is at fault: Ansible's own message says it then.
        """
        problems = problems_by_option(self._task.args)
        if not problems:
            return []
        others = [error.msg for error in ArgumentSpecValidator(USER_IMPORT_SPEC).validate(self._task.args).errors if not is_about(error, problems)]
        return [*(problem for option_problems in problems.values() for problem in option_problems), *others]

    def _request(self, args: dict) -> ImportRequest:
        connection = {CONNECTION_OPTION_NAMES.get(name, name): args[name] for name in CONNECTION_SPEC}
        options = {name: value for name, value in args.items() if name not in CONNECTION_SPEC}
        options["sources"] = [
            dict(source, path=self._find_source(index, source["path"])) if source["type"] == "csv" else source
            for index, source in enumerate(args["sources"])
        ]
        options["defaults"] = args["defaults"] or {}
        return ImportRequest(connection=connection, **options)

    def _find_source(self, index: int, path: str) -> str:
        """Find a CSV file the way ansible.builtin.copy finds src: in files/ of the role or playbook."""
        if not path.strip():  # found by the search below as the directory files/ itself
            raise ImportAborted(f"sources[{index}]: path is empty; give the CSV file's path")
        try:
            return self._find_needle("files", path)
        except AnsibleFileNotFound as error:
            # Ansible's own message ends in advice about remote_src, an option this module does not have.
            if not error.paths:  # an absolute path, looked for nowhere else
                raise ImportAborted(f"sources[{index}]: there is no file {quoted(path)} on the controller; check the path") from None
            raise ImportAborted(f"sources[{index}]: cannot find the file {quoted(path)} on the controller (searched {', '.join(error.paths)}); "
                                "give an absolute path, or put the file in files/ next to the playbook") from None
        except AnsibleError as error:
            raise ImportAborted(f"sources[{index}]: cannot find or read the file {quoted(path)} on the controller: {error.message}") from None
