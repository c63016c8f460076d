"""What the trajectory figure states: the complexity series it draws and its sentence about the LLC."""

from types import SimpleNamespace

from compare.runs.report import _complexity_measure, _llc_peak_note


def _seed(llc, generalise_epoch, epochs=(0, 10, 100, 1000, 3000)):
    records = [{"epoch": e, "train_accuracy": 1.0, "heldout_accuracy": 0.5, "llc": v} for e, v in zip(epochs, llc)]
    return SimpleNamespace(trajectory={"records": records, "generalise_epoch": generalise_epoch})


def test_minimal_size_only_where_it_is_mostly_known():
    mostly_unknown = {"epoch": [0, 1, 2, 3], "min_size_xag": [None, None, None, 2.0], "support_size": [20, 20, 20, 3]}
    assert _complexity_measure(mostly_unknown) == "support_size"
    mostly_known = {"epoch": [0, 1, 2, 3], "min_size_xag": [None, 5.0, 3.0, 2.0], "support_size": [20, 6, 4, 3]}
    assert _complexity_measure(mostly_known) == "min_size_xag"
    only_sizes = {"epoch": [0, 1, 2, 3], "min_size_xag": [None, None, None, 2.0]}
    assert _complexity_measure(only_sizes) == "min_size_xag"
    assert _complexity_measure({"epoch": [0], "neuron_purity": [None]}) is None


def test_llc_peak_note_one_seed_and_several():
    one = _seed([1.0, 4.0, 8.0, 2.0, 0.8], generalise_epoch=1500)
    assert _llc_peak_note([one]) == "the LLC peaks at epoch 100 (1400 epochs before generalising) and ends at 10% of its peak"
    late = _seed([1.0, 2.0, 3.0, 4.0, 5.0], generalise_epoch=1500)
    assert _llc_peak_note([late]) == "the LLC peaks at epoch 3000 (1500 epochs after generalising) and ends at 100% of its peak"
    assert _llc_peak_note([one, late]) == "the LLC peaks before generalising in 1 of 2 seeds and ends at 10%–100% of its peak"
    assert _llc_peak_note([_seed([None] * 5, generalise_epoch=1500)]) is None
    assert _llc_peak_note([_seed([1.0, 4.0, 8.0, 2.0, 0.8], generalise_epoch=None)]) is None
