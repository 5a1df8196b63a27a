// Runs labkit's labs under Pyodide in Node: the browser engine, as a page would run it, without a browser.
//
//   node tests/browser/run.mjs <pyodide folder> <wheels folder> <repo> <driver.py> <json args>
//
// The pyodide folder holds the npm package `pyodide` (tests/browser/assets.py installs it under
// ~/.cache/labkit-tests); the wheels folder holds the pure-Python wheels of _ext/browser_wheels.txt. Every wheel is
// unpacked into Pyodide's site-packages, labkit's source is copied in beside a dist-info for dva-labkit (nothing of
// the repository is written), then driver.py runs with the JSON arguments in sys.argv[1] and prints one JSON line
// prefixed "LABKIT-RESULT ". Timings measured here (Pyodide start, unpacking) are added to that document.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelsDir, repo, driver, args] = process.argv.slice(2);
const began = performance.now();
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep, stdout: (s) => console.log(s),
                                    stderr: (s) => console.error(s) });
const loaded = performance.now();
const site = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
for (const name of fs.readdirSync(wheelsDir).filter((n) => n.endsWith(".whl")).sort()) {
  pyodide.unpackArchive(new Uint8Array(fs.readFileSync(path.join(wheelsDir, name))), "wheel", { extractDir: site });
}

function copyTree(from, to) {
  pyodide.FS.mkdirTree(to);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.name === "__pycache__") continue;
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) copyTree(source, `${to}/${entry.name}`);
    else pyodide.FS.writeFile(`${to}/${entry.name}`, new Uint8Array(fs.readFileSync(source)));
  }
}
copyTree(path.join(repo, "labkit"), `${site}/labkit`);
pyodide.FS.writeFile(`${site}/_labkit_absent.py`,  // the test's stand-ins for Pyodide's own builds (driver.py)
                     new Uint8Array(fs.readFileSync(path.join(repo, "tests", "browser", "absent.py"))));
const version = /^version\s*=\s*"([^"]+)"/m.exec(fs.readFileSync(path.join(repo, "pyproject.toml"), "utf8"))[1];
pyodide.FS.mkdirTree(`${site}/dva_labkit-${version}.dist-info`);
pyodide.FS.writeFile(`${site}/dva_labkit-${version}.dist-info/METADATA`,
                     `Metadata-Version: 2.1\nName: dva-labkit\nVersion: ${version}\n`);
copyTree(path.join(repo, "labs"), "/home/pyodide/labs");
for (const folder of ["quizzes", "exam"]) {
  if (fs.existsSync(path.join(repo, folder))) copyTree(path.join(repo, folder), `/home/pyodide/${folder}`);
}
const unpacked = performance.now();

pyodide.globals.set("DRIVER_ARGS", args);
pyodide.globals.set("JS_TIMES", pyodide.toPy({ pyodide_load_s: (loaded - began) / 1000,
                                                unpack_s: (unpacked - loaded) / 1000 }));
let status = 0;
try {
  await pyodide.runPythonAsync(fs.readFileSync(driver, "utf8"));
} catch (error) {
  console.error(String(error));
  status = 1;
}
process.exit(status);
