"""The commented scenario skeleton that `simulator new` writes.

It is a small, playable scenario rather than a form full of blanks: a trainer
learns the format faster by changing something that already works, and a
skeleton that validates as written means the first error they see is their own.
"""

from __future__ import annotations

from string import Template

# The `$names` are filled in by skeleton(); a literal dollar sign would have to
# be doubled.
_SKELETON = Template(
    """\
$schema_line# A new scenario. Every key is explained in scenarios.md. Change the text, keep
# the shape, and check your work as you go:
#   simulator validate $path
#   $cli preview $id
#   simulator validate --rehearse $path
#   $cli play $id

# The id: lowercase letters, digits and hyphens, unique among all scenarios.
id: $id
title: $title
language: en
difficulty: easy              # easy, medium or hard
skills: [courtesy, ownership] # what it trains; see scenarios.md for the list

# Shown to the trainee before the conversation starts.
brief: >-
  A customer calls because a parcel promised for yesterday has not arrived.
  Find out what happened and tell them when it will come.
# Where and when; the customer's model voice reads it, the trainee does not.
setting: >-
  Customer-service line of an online shop. The courier's tracking shows the
  parcel at the local depot. Agents may book a next-day delivery for free.
trainee_role: Customer-service agent

# What the trainee's systems show beside the conversation (F2), and what they
# can look up by typing /track 10-4471 in the reply box.
desk:
  policy:
    - Re-deliveries are booked with the courier; the next free slot is tomorrow.
  may_authorise:
    - A next-day delivery, free of charge.
  lookups:
    - command: track
      argument: 10-4471
      title: Parcel tracking
      shows:
        - "Order 10-4471: at the local depot since yesterday 16:00; missed the van."
      reveals: [order]

customer:
  name: Mr. Sam Green
  background: He ordered a birthday present for his daughter, due yesterday.
  personality: Polite but firm; gets short when he is passed from one person to another.
  speech: Short sentences; mentions the birthday.
  start_mood: 45              # 0 furious, 50 neutral, 100 delighted
  facts:                      # things he says only when asked
    - id: order
      text: The order number is 10-4471.
      asked_by: [order number, your order, reference]
      lines:
        - "It's order 10-4471."

# The customer's first line.
opening: >-
  Hello. My parcel was due yesterday and it still hasn't come. It's my
  daughter's birthday present. Where is it?

needs:                        # what must happen before the conversation can end well
  - id: delivery
    description: A delivery date he can count on.
    solutions:                # replies that meet the need, as a trainee might say them
      - text: Book a free next-day delivery and tell him when it will arrive.
        examples:
          - I've booked a delivery for tomorrow morning, free of charge.
          - Your parcel will be with you tomorrow before noon; I've arranged it with the courier.
    rigid_responses:          # replies that fail the need
      - You'll have to contact the courier yourself.
    customer_proposals:       # what he suggests if the trainee has no idea
      - "Couldn't you ask them to deliver it tomorrow?"
    met_lines:
      - "Tomorrow morning. Thank you, that's all I needed."
    nudge_lines:
      - "So when will it actually arrive?"
    mood_when_met: 20

triggers:                     # if the trainee does X, the customer does Y (first match wins)
  - id: passed-on
    when: sends_away          # an act; the list is in scenarios.md
    intent: Refuse to chase the courier; he bought from the shop.
    lines:
      - "I bought it from you, not from the courier."
    mood: -10

end:
  max_turns: 8
  walk_out_mood: 10
  resolve_mood: 30
  resolved:
    lines:
      - "Thank you, that's sorted then. Goodbye."
  walked_out:
    lines:
      - "Forget it. I'll order from someone else next time."
  turn_limit:
    lines:
      - "I'll just wait and see, I suppose."

model_answers:
  - situation: The customer's first line.
    answer: >-
      Hello, and I'm sorry it's late, especially for a birthday. I've booked a
      free delivery for tomorrow morning.
    why: An apology, interest in the person, and a concrete fix with a time.

debrief_notes:
  - Did the trainee take ownership instead of sending the customer to the courier?

samples:                      # trainee scripts and the outcome each must reach
  - name: says nothing useful
    outcome: unresolved
    replies:
      - Let me have a look.
  # Add one that resolves and one that walks out, then run validate --rehearse:
  # - name: warm and concrete
  #   outcome: resolved
  #   replies:
  #     - Hello, I'm so sorry it's late. I've booked a free delivery for tomorrow morning.
"""
)


def default_title(scenario_id: str) -> str:
    """'late-parcel' becomes 'Late parcel'; the trainer will usually change it."""
    words = scenario_id.replace("_", "-").split("-")
    return " ".join(w for w in words if w).capitalize() or scenario_id


def skeleton(
    scenario_id: str,
    path: str = "FILE.yaml",
    cli: str = "simulator",
    schema: str | None = None,
) -> str:
    """The skeleton text for an id the caller has checked.

    `cli` is the command as the trainer must type it to find the file (with
    `--scenarios DIR` when it lives outside the usual folders); `schema` is the
    JSON Schema an editor should check the file against, when there is one.
    """
    schema_line = f"# yaml-language-server: $schema={schema}\n" if schema else ""
    return _SKELETON.substitute(
        id=scenario_id,
        title=default_title(scenario_id),
        path=path,
        cli=cli,
        schema_line=schema_line,
    )
