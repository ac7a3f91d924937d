"""The reform-proposal file, declared (pydantic v2): a name and a list of changes, each change a
member of a union told apart by its ``type``.

What can only be checked against a circulaire (a maatstaf or cluster that exists, an amount
within what a maatstaf carries) is checked when the proposal is applied
(:meth:`gemfin.proposal.Proposal.apply`). ``gemfin schema proposal`` prints the JSON Schema
(``docs/schemas/proposal.schema.json``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import Discriminator, Field, Tag, model_validator

from .base import Number, Section, Text, gemfin_error

Note = Optional[str]
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]


class Scale(Section):
    """bedrag × factor, in one cluster or (without ``cluster``) in all."""

    type: Literal["scale"]
    maatstaf: Text
    factor: NonNegative
    cluster: Optional[Text] = None
    note: Note = None


class Set(Section):
    """The bedrag per eenheid of a maatstaf in a cluster (EUR, before the uitkeringsfactor)."""

    type: Literal["set"]
    maatstaf: Text
    cluster: Text
    bedrag: Number
    note: Note = None


class Add(Section):
    """bedrag + delta (EUR per unit, before the uitkeringsfactor)."""

    type: Literal["add"]
    maatstaf: Text
    cluster: Text
    delta: Number
    note: Note = None


class Shift(Section):
    """Moves a national amount from one maatstaf to another within a cluster, keeping the
    cluster's uitkeringsbasis: ``amount`` in euros at the circulaire's uitkeringsfactor, or
    ``fraction`` of the ``from`` maatstaf's amount in the cluster."""

    type: Literal["shift"]
    cluster: Text
    from_: Text = Field(alias="from")
    to: Text
    amount: Optional[Number] = None
    fraction: Optional[Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]] = None
    note: Note = None

    @model_validator(mode="after")
    def _one_size(self) -> "Shift":
        if (self.amount is None) == (self.fraction is None):
            raise gemfin_error("a 'shift' change needs exactly one of 'amount' and 'fraction'")
        if self.from_ == self.to:
            raise gemfin_error(f"'from' and 'to' are the same maatstaf {self.to!r}")
        return self


class VolumeFrom(Section):
    """The volume of an existing maatstaf."""

    from_: Text = Field(alias="from")


class VolumeFile(Section):
    """A CSV column of volumes per municipality (CBS code in ``code_column``)."""

    file: Text
    column: Text
    code_column: Text = "gemeente"


def _volume_kind(v: Any) -> str | None:
    # Tags unlike the keys: pydantic puts the tag in an error's location.
    if isinstance(v, dict):
        return "by_maatstaf" if "from" in v else "by_file" if "file" in v else None
    return "by_maatstaf" if isinstance(v, VolumeFrom) else "by_file" if isinstance(v, VolumeFile) else None


Volume = Annotated[
    Union[Annotated[VolumeFrom, Tag("by_maatstaf")], Annotated[VolumeFile, Tag("by_file")]],
    Discriminator(_volume_kind,
                  custom_error_type="volume",
                  custom_error_message="expected a mapping with either 'from: <maatstaf>' or 'file: <csv>' and 'column'")]


class AddMaatstaf(Section):
    """A new maatstaf with its bedrag in one cluster and its volume."""

    type: Literal["add_maatstaf"]
    code: Text
    name: Text
    cluster: Text
    bedrag: Number
    volume: Volume
    note: Note = None


class RemoveMaatstaf(Section):
    """Drops the maatstaf from every cluster."""

    type: Literal["remove_maatstaf"]
    maatstaf: Text
    note: Note = None


Change = Annotated[Union[Scale, Set, Add, Shift, AddMaatstaf, RemoveMaatstaf], Field(discriminator="type")]


class ProposalDoc(Section):
    """A reform proposal for the verdeelmodel: changes applied in order to the bedragen per
    eenheid (and, for added maatstaven, the volumes) of a circulaire."""

    name: Text
    description: str = ""
    source: str = ""
    changes: Annotated[list[Change], Field(min_length=1)]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a proposal file (docs/schemas/proposal.schema.json)."""
    return ProposalDoc.model_json_schema(by_alias=True)
