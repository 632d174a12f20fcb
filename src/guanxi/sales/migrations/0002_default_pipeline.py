"""The default pipeline with the stages most companies start from."""

from django.db import migrations

NAME = "默认销售流程 Default pipeline"
STAGES = [
    # name, English name, probability %, kind
    ("初步接触", "Prospecting", 10, "open"),
    ("需求确认", "Qualification", 25, "open"),
    ("方案报价", "Proposal", 50, "open"),
    ("商务谈判", "Negotiation", 75, "open"),
    ("赢单", "Won", 100, "won"),
    ("输单", "Lost", 0, "lost"),
]


def create_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    if Pipeline.objects.filter(is_default=True).exists():
        return
    pipeline = Pipeline.objects.create(name=NAME, is_default=True, position=0)
    Stage.objects.bulk_create(
        Stage(pipeline=pipeline, name=name, name_en=name_en, position=i, probability=p, kind=kind)
        for i, (name, name_en, p, kind) in enumerate(STAGES, start=1)
    )


def remove_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Opportunity = apps.get_model("sales", "Opportunity")
    pipeline = Pipeline.objects.filter(name=NAME, is_default=True).first()
    if pipeline is not None and not Opportunity.objects.filter(pipeline=pipeline).exists():
        pipeline.delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]

    operations = [migrations.RunPython(create_default_pipeline, remove_default_pipeline)]
