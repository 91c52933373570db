"""SeriesModel keeps its chosen model or blend as JSON instead of "combo:a+b" plus "1+3".

The text format being retired is read and written here only, so this migration stays
correct whatever the Blend type becomes.
"""

from django.db import migrations, models

COMBO_PREFIX = "combo:"


def _blend_of(model: str, weights: str) -> dict:
    names = model.removeprefix(COMBO_PREFIX).split("+") if model.startswith(COMBO_PREFIX) else [model]
    try:
        parsed = [int(float(w)) for w in weights.split("+")] if weights else []
    except ValueError:
        parsed = []
    if len(parsed) != len(names) or any(w <= 0 for w in parsed):
        parsed = [1] * len(names)
    pairs = sorted(zip(names, parsed, strict=True))
    return {"models": [m for m, _ in pairs], "weights": [w for _, w in pairs]}


def weights_to_blend(apps, schema_editor):
    SeriesModel = apps.get_model("forecasting", "SeriesModel")
    changed = []
    for row in SeriesModel.objects.only("id", "model", "weights").iterator(chunk_size=5000):
        row.blend = _blend_of(row.model, row.weights)
        changed.append(row)
        if len(changed) >= 5000:
            SeriesModel.objects.bulk_update(changed, ["blend"])
            changed = []
    SeriesModel.objects.bulk_update(changed, ["blend"])


def blend_to_weights(apps, schema_editor):
    SeriesModel = apps.get_model("forecasting", "SeriesModel")
    changed = []
    for row in SeriesModel.objects.only("id", "blend").iterator(chunk_size=5000):
        row.weights = "+".join(str(w) for w in row.blend.get("weights", [])) or "1"
        changed.append(row)
        if len(changed) >= 5000:
            SeriesModel.objects.bulk_update(changed, ["weights"])
            changed = []
    SeriesModel.objects.bulk_update(changed, ["weights"])


class Migration(migrations.Migration):
    dependencies = [
        ("forecasting", "0004_chunk_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="seriesmodel",
            name="blend",
            field=models.JSONField(default=dict),
            preserve_default=False,
        ),
        migrations.RunPython(weights_to_blend, blend_to_weights),
        migrations.RemoveField(model_name="seriesmodel", name="weights"),
        migrations.AlterField(
            model_name="seriesmodel",
            name="blend",
            field=models.JSONField(
                help_text=(
                    'The model or blend, e.g. {"models": ["ets", "lightgbm"], "weights": [1, 3]}.'
                )
            ),
        ),
        migrations.AlterField(
            model_name="seriesmodel",
            name="model",
            field=models.CharField(help_text="The name of the blend below.", max_length=120),
        ),
    ]
