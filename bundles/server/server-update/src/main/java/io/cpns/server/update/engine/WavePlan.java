package io.cpns.server.update.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The waves of a rollout as the operator writes them: {@code "5,10%,50%,100%"}. Each element is
 * the cumulative number of target gateways reached once that wave has started: a plain number is a
 * count (a canary of 5), {@code N%} a share of the targets rounded up. The last element must reach
 * every target. A wave that would add no gateway (a small fleet) is dropped.
 */
public final class WavePlan {
    private final String text;
    private final List<Step> steps;

    private record Step(long value, boolean percent) {
    }

    private WavePlan(String text, List<Step> steps) {
        this.text = text;
        this.steps = steps;
    }

    /** @throws IllegalArgumentException with what is wrong, for the operator */
    public static WavePlan parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("waves: empty; write e.g. 5,10%,50%,100% (a count or a cumulative percentage each)");
        }
        List<Step> steps = new ArrayList<>();
        for (String raw : text.split(",")) {
            String s = raw.trim();
            boolean percent = s.endsWith("%");
            String number = percent ? s.substring(0, s.length() - 1).trim() : s;
            long v;
            try {
                v = Long.parseLong(number);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("waves: '" + s + "' is neither a count nor a percentage (e.g. 5 or 10%)");
            }
            if (v < 1 || (percent && v > 100)) {
                throw new IllegalArgumentException("waves: '" + s + "' out of range (a count from 1, a percentage from 1% to 100%)");
            }
            steps.add(new Step(v, percent));
        }
        if (steps.size() > 20) {
            throw new IllegalArgumentException("waves: at most 20");
        }
        for (int i = 1; i < steps.size(); i++) {
            Step a = steps.get(i - 1);
            Step b = steps.get(i);
            if (a.percent() == b.percent() && b.value() < a.value()) {
                throw new IllegalArgumentException("waves: " + text + " goes down (each element is the cumulative reach)");
            }
        }
        Step last = steps.get(steps.size() - 1);
        if (!(last.percent() && last.value() == 100)) {
            throw new IllegalArgumentException("waves: the last wave must be 100% (every target gateway)");
        }
        return new WavePlan(text.replace(" ", ""), List.copyOf(steps));
    }

    /**
     * The size of each wave for {@code targets} gateways: sizes add up to {@code targets}, none is 0.
     * A count above a later percentage of a small fleet (a canary of 5, then 10% of 30) just
     * leaves that wave out.
     */
    public List<Integer> sizes(int targets) {
        List<Integer> sizes = new ArrayList<>();
        long reached = 0;
        for (Step s : steps) {
            long cumulative = s.percent() ? (targets * s.value() + 99) / 100 : Math.min(targets, s.value());
            if (cumulative > reached) {
                sizes.add((int) (cumulative - reached));
                reached = cumulative;
            }
        }
        return sizes;
    }

    @Override
    public String toString() {
        return text;
    }
}
