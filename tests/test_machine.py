"""Machine identity: one name per GPU model and driver, and what is recorded beside it."""

from types import SimpleNamespace

import torch

from suite import bench, machine

H100 = {"index": 0, "name": "NVIDIA H100 80GB HBM3", "capability": "9.0", "cuda": "12.8",
        "driver": "570.124.06", "max_sm_clock_mhz": "1980", "max_memory_clock_mhz": "2619"}


def test_nvidia_smi_rows_are_read_per_gpu_and_unreported_fields_left_out():
    text = ("GPU-aa, 570.124.06, 1980, 2619, 1755, 2619\n"
            "GPU-bb, 570.124.06, 1980, 2619, [N/A], [Not Supported]\n")
    first, second = machine.parse_smi(text)
    assert first == {"uuid": "GPU-aa", "driver": "570.124.06", "max_sm_clock_mhz": "1980",
                     "max_memory_clock_mhz": "2619", "application_sm_clock_mhz": "1755",
                     "application_memory_clock_mhz": "2619"}
    assert second.keys() == {"uuid", "driver", "max_sm_clock_mhz", "max_memory_clock_mhz"}
    assert machine.parse_smi(None) == [] and machine.parse_smi("garbage") == []


def test_a_gpu_machine_is_named_by_its_first_gpu_model_and_driver(monkeypatch):
    monkeypatch.delenv("OPSUITE_MACHINE", raising=False)
    assert machine.machine_name([H100]) == "nvidia-h100-80gb-hbm3-driver-570-124-06"
    newer = dict(H100, driver="575.51.03")
    assert machine.machine_name([newer]) != machine.machine_name([H100])
    assert machine.machine_name([dict(H100, driver=None)]) == "nvidia-h100-80gb-hbm3-driver-unknown"


def test_nvidia_smi_rows_are_matched_to_torch_devices_by_uuid_not_position(monkeypatch):
    devices = [SimpleNamespace(name="NVIDIA A100-SXM4-40GB", major=8, minor=0, total_memory=40 * 2**30,
                               multi_processor_count=108, uuid="bbbb-2"),
               SimpleNamespace(name="NVIDIA H100 80GB HBM3", major=9, minor=0, total_memory=80 * 2**30,
                               multi_processor_count=132, uuid="aaaa-1")]
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: len(devices))
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda i: devices[i])
    smi = ("GPU-AAAA-1, 570.124.06, 1980, 2619, 1755, 2619\n"  # nvidia-smi's own order
           "GPU-BBBB-2, 535.54.03, 1410, 1215, 1410, 1215\n")
    monkeypatch.setattr(machine, "_command", lambda argv: smi)
    monkeypatch.setattr(torch.version, "cuda", "12.8")
    a100, h100 = machine._gpus()
    assert a100["cuda"] == h100["cuda"] == "12.8"
    assert (h100["max_memory_clock_mhz"], h100["application_sm_clock_mhz"]) == ("2619", "1755")
    assert (a100["name"], a100["driver"], a100["max_sm_clock_mhz"]) == ("NVIDIA A100-SXM4-40GB",
                                                                        "535.54.03", "1410")
    assert (h100["driver"], h100["index"], h100["capability"]) == ("570.124.06", 1, "9.0")
    monkeypatch.setattr(machine, "_command", lambda argv: None)  # no nvidia-smi
    assert "driver" not in machine._gpus()[0]


def test_a_cpu_machine_is_named_by_its_cpu_and_the_environment_overrides_both(monkeypatch):
    monkeypatch.delenv("OPSUITE_MACHINE", raising=False)
    monkeypatch.setattr(machine, "_cpu_name", lambda: "AMD EPYC")
    assert machine.machine_name([]) == "amd-epyc"
    monkeypatch.setenv("OPSUITE_MACHINE", "Lab A100 #2")
    assert machine.machine_name([H100]) == "lab-a100-2"


def test_the_gpu_description_names_model_driver_cuda_and_clocks():
    assert machine.describe_gpu(H100) == ("NVIDIA H100 80GB HBM3, driver 570.124.06, CUDA 12.8, "
                                          "max clocks 1980/2619 MHz (SM/memory)")
    assert machine.describe_gpu({"name": "Tesla T4"}) == "Tesla T4"


def test_asv_machine_record_carries_the_gpu_description(monkeypatch):
    info = {"name": "nvidia-h100-80gb-hbm3-driver-570-124-06", "cpu": "Intel Xeon",
            "cpu_count": 16, "gpus": [H100]}
    monkeypatch.setattr(machine, "machine_info", lambda: info)
    args = bench.asv_machine_args()
    assert args[args.index("--machine") + 1] == info["name"]
    assert args[args.index("--cpu") + 1] == ("Intel Xeon; GPU: " + machine.describe_gpu(H100))


def test_a_cpu_machine_is_named_by_its_model_without_trademarks_or_clock():
    assert machine.cpu_model("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz") == "Intel Xeon Platinum 8375C"
    assert machine.slug(machine.cpu_model("Intel(R) Xeon(R) Processor")) == "intel-xeon"
    assert machine.slug(machine.cpu_model("AMD EPYC 7763 64-Core Processor")) == "amd-epyc-7763-64-core"
    assert machine.slug(machine.cpu_model("AMD EPYC")) == "amd-epyc"
    assert machine.slug(machine.cpu_model("Apple M2 Pro")) == "apple-m2-pro"


def test_commit_dirty_is_about_the_code_not_the_results_it_wrote(tmp_path, monkeypatch):
    import subprocess

    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "README.md").write_text("report\n")
    (tmp_path / "code.py").write_text("x = 1\n")
    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    monkeypatch.setattr(machine, "PROJECT_ROOT", tmp_path)
    assert machine.git_commit()["dirty"] is False
    (tmp_path / "results" / "README.md").write_text("a new report\n")  # the report rewrote it
    assert machine.git_commit()["dirty"] is False
    (tmp_path / "code.py").write_text("x = 2\n")
    assert machine.git_commit()["dirty"] is True
